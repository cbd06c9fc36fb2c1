/**
 * torchtune recipe configs. Loaded with OmegaConf (`OmegaConf.load`), so `1e-5` is a float and `${name}` is an
 * interpolation; `_component_` nodes are instantiated by `torchtune.config.instantiate` with the other keys as
 * kwargs. Top-level keys are read by the recipe (each recipe reads its own set), so unknown keys are not reported;
 * only the keys common to the built-in recipes are typed here.
 *
 * Sources: https://github.com/pytorch/torchtune/tree/main/recipes (full_finetune_*.py, lora_finetune_*.py),
 * https://docs.pytorch.org/torchtune/stable/deep_dives/configs.html
 */
import { z } from 'zod';
import { any, bool, custom, enm, float, int, list, map, obj, str } from '../spec';
import type { ObjSpec } from '../spec';

const SRC = 'https://github.com/pytorch/torchtune/tree/main/recipes';
const o = { source: SRC };
const component = (doc: string) => map(`${doc} A node with \`_component_\` (dotted import path) and its kwargs.`, obj('component', { _component_: str('Dotted path of the class or builder to instantiate.', undefined, { ...o, nullable: false }) }, 'ignore', { source: 'https://docs.pytorch.org/torchtune/stable/deep_dives/configs.html' }), undefined, o);

export function torchtuneRoot(): ObjSpec {
  return obj('torchtune recipe config', {
    output_dir: str('Where checkpoints and logs go.', undefined, o),
    model: component('Model builder (e.g. torchtune.models.llama3_2.lora_llama3_2_1b).'),
    tokenizer: component('Tokenizer builder.'),
    checkpointer: component('Checkpointer (FullModelHFCheckpointer, FullModelMetaCheckpointer, ...).'),
    dataset: any('Dataset builder node, or a list of them.', undefined, { ...o, type: 'component | list[component]' }),
    dataset_val: any('Validation dataset builder.', undefined, o),
    optimizer: component('Optimizer (torch.optim.AdamW, bitsandbytes.optim.PagedAdamW8bit, ...).'),
    lr_scheduler: component('LR scheduler builder.'),
    loss: component('Loss (torchtune.modules.loss.LinearCrossEntropyLoss, ...).'),
    metric_logger: component('Metric logger (DiskLogger, WandBLogger, TensorBoardLogger).'),
    profiler: component('Profiler settings.'),
    seed: int('Random seed (null = random).', null, o),
    shuffle: bool('Shuffle the dataset.', true, o),
    batch_size: int('Samples per device per step.', undefined, { min: 1, source: SRC }),
    batch_size_val: int('Validation batch size.', undefined, { min: 1, source: SRC }),
    epochs: int('Epochs.', 1, { min: 1, source: SRC }),
    max_steps_per_epoch: int('Cap on steps per epoch (null = no cap).', null, { min: 1, source: SRC }),
    gradient_accumulation_steps: int('Micro-batches per optimizer step.', 1, { min: 1, source: SRC }),
    optimizer_in_bwd: bool('Fuse the optimizer step into the backward pass (saves memory; requires gradient_accumulation_steps: 1).', false, o),
    clip_grad_norm: float('Gradient clipping norm (null = none).', null, { gt: 0, source: SRC }),
    compile: bool('torch.compile the model and loss.', false, o),
    device: enm(['cuda', 'cpu', 'mps', 'xpu', 'npu'], 'Device.', 'cuda', { ...o, severity: 'warning' }),
    dtype: enm(['bf16', 'fp32', 'fp16'], 'Training dtype (bf16 needs Ampere or newer; fp16 is not supported by most recipes).', 'bf16', o),
    enable_activation_checkpointing: bool('Activation checkpointing.', false, o),
    enable_activation_offloading: bool('Offload activations to CPU (use with activation checkpointing).', false, o),
    activation_offloading_use_streams: bool('Use CUDA streams for offloading.', true, o),
    custom_sharded_layers: list('str', 'Layers to shard separately (FSDP).', null, o),
    fsdp_cpu_offload: bool('FSDP CPU offload.', false, o), fsdp_reshard_after_forward: bool('FSDP reshard after forward.', true, o),
    tensor_parallel_dim: int('Tensor parallel degree.', 1, o), data_parallel_shard_dim: int('FSDP shard degree.', -1, o), data_parallel_replicate_dim: int('DDP replicas.', 1, o),
    resume_from_checkpoint: bool('Resume from the checkpointer state.', false, o),
    save_adapter_weights_only: bool('LoRA: save only the adapter.', false, o),
    log_every_n_steps: int('Log every N steps.', 1, { min: 1, source: SRC }),
    log_peak_memory_stats: bool('Log peak memory.', false, o),
    log_level: enm(['DEBUG', 'INFO', 'WARN', 'WARNING', 'ERROR', 'CRITICAL'], 'Log level.', 'INFO', { ...o, severity: 'warning' }),
    run_val_every_n_steps: int('Validate every N steps (null = never).', null, { min: 1, source: SRC }),
    max_seq_len: int('Maximum sequence length.', null, { min: 1, source: SRC }),
    // recipes/eleuther_eval.py: `cfg.get("max_seq_length", 4096)` (the evaluation recipe's own name for it).
    max_seq_length: int('Evaluation recipe (eleuther_eval): maximum sequence length of the harness inputs.', 4096, { min: 1, source: SRC }),
    datasets: any('Multi-dataset recipes: a list of dataset builder nodes.', undefined, { ...o, type: 'list[component]' }),
    lr: custom('float', z.number(), 'Learning rate.', undefined, { numeric: true, source: SRC }),
  }, 'near-miss', { source: SRC, unknownNote: 'Recipes read keys by name (cfg.<key>), so the intended setting is missing and the recipe fails or uses its default.' });
}
