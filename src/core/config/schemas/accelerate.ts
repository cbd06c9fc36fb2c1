/**
 * Accelerate config YAML (`accelerate config` output, `accelerate launch --config_file`). Loaded with
 * `yaml.safe_load`; `ClusterConfig.from_yaml_file` raises "had unknown keys" for any unknown top-level key.
 * `deepspeed_config` and `fsdp_config` are plain dicts turned into environment variables (unknown keys are ignored).
 * A `mixed_precision: no` that PyYAML reads as False is mapped back to "no" by from_yaml_file.
 *
 * Sources: https://github.com/huggingface/accelerate/blob/main/src/accelerate/commands/config/config_args.py ,
 * https://github.com/huggingface/accelerate/blob/main/src/accelerate/utils/dataclasses.py ,
 * https://huggingface.co/docs/accelerate/package_reference/cli
 */
import { z } from 'zod';
import { any, bool, custom, enm, int, list, map, obj, str } from '../spec';
import type { ObjSpec } from '../spec';

const SRC = 'https://github.com/huggingface/accelerate/blob/main/src/accelerate/commands/config/config_args.py';
const DC = 'https://github.com/huggingface/accelerate/blob/main/src/accelerate/utils/dataclasses.py';

export const DISTRIBUTED_TYPES = ['NO', 'MULTI_GPU', 'MULTI_CPU', 'MULTI_XPU', 'MULTI_NPU', 'MULTI_MLU', 'MULTI_SDAA', 'MULTI_MUSA', 'MULTI_HPU', 'MULTI_NEURON', 'DEEPSPEED', 'FSDP', 'XLA', 'MEGATRON_LM', 'TP'] as const;

const dsConfig = obj('deepspeed_config', {
  deepspeed_config_file: str('Path to a DeepSpeed JSON; when set, the other DeepSpeed fields here must not be.', null, { source: DC }),
  zero_stage: int('ZeRO stage (0-3).', 2, { min: 0, max: 3, source: DC }),
  gradient_accumulation_steps: int('Gradient accumulation steps.', 1, { min: 1, source: DC }),
  gradient_clipping: custom('float', z.number().min(0), 'Gradient clipping norm.', 1.0, { numeric: true, source: DC }),
  offload_optimizer_device: enm(['none', 'cpu', 'nvme'], 'Offload optimizer state (ZeRO 1-3).', 'none', { source: DC }),
  offload_param_device: enm(['none', 'cpu', 'nvme'], 'Offload parameters (ZeRO-3 only).', 'none', { source: DC }),
  offload_optimizer_nvme_path: str('NVMe path for optimizer offload.', 'none', { source: DC }),
  offload_param_nvme_path: str('NVMe path for parameter offload.', 'none', { source: DC }),
  zero3_init_flag: bool('Build the model with deepspeed.zero.Init (ZeRO-3; needed for very large models).', null, { source: DC }),
  zero3_save_16bit_model: bool('Gather and save 16-bit weights with ZeRO-3.', false, { source: DC }),
  deepspeed_multinode_launcher: enm(['pdsh', 'standard', 'openmpi', 'mvapich', 'mpich', 'nossh', 'slurm'], 'Multi-node launcher.', 'pdsh', { source: DC }),
  deepspeed_hostfile: str('Hostfile for multi-node.', null, { source: DC }),
  deepspeed_exclusion_filter: str('Hosts to exclude.', null, { source: DC }),
  deepspeed_inclusion_filter: str('Hosts to include.', null, { source: DC }),
  deepspeed_moe_layer_cls_names: str('MoE layer classes (comma-separated).', null, { source: DC }),
  transformer_moe_cls_names: str('MoE layer classes (comma-separated).', null, { source: DC }),
  mixed_precision: str('Not read here: use the top-level mixed_precision.', null),
}, 'warning', { source: DC, unknownNote: 'Accelerate ignores unknown deepspeed_config keys.' });

const fsdpConfig = obj('fsdp_config', {
  fsdp_version: int('FSDP version: 1 or 2 (FSDP2, torch>=2.6).', 1, { min: 1, max: 2, source: DC }),
  fsdp_sharding_strategy: enm(['FULL_SHARD', 'SHARD_GRAD_OP', 'NO_SHARD', 'HYBRID_SHARD', 'HYBRID_SHARD_ZERO2', '1', '2', '3', '4', '5'], 'FSDP1 sharding strategy.', 'FULL_SHARD', { source: DC, extra: z.number() }),
  fsdp_reshard_after_forward: any('FSDP2: reshard after forward (bool), or an FSDP1 sharding strategy name.', true, { source: DC }),
  fsdp_auto_wrap_policy: enm(['TRANSFORMER_BASED_WRAP', 'SIZE_BASED_WRAP', 'NO_WRAP'], 'Auto-wrap policy.', null, { source: DC }),
  fsdp_transformer_layer_cls_to_wrap: str('Layer classes to wrap (comma-separated), for TRANSFORMER_BASED_WRAP.', null, { source: DC }),
  fsdp_min_num_params: int('Minimum parameters per unit, for SIZE_BASED_WRAP.', 1e8, { source: DC }),
  fsdp_backward_prefetch: enm(['BACKWARD_PRE', 'BACKWARD_POST', 'NO_PREFETCH'], 'Backward prefetch policy.', null, { source: DC }),
  fsdp_backward_prefetch_policy: enm(['BACKWARD_PRE', 'BACKWARD_POST', 'NO_PREFETCH'], 'Deprecated: use fsdp_backward_prefetch.', null, { source: DC, deprecated: 'use fsdp_backward_prefetch' }),
  fsdp_forward_prefetch: bool('Prefetch the next all-gather in forward.', false, { source: DC }),
  fsdp_state_dict_type: enm(['FULL_STATE_DICT', 'LOCAL_STATE_DICT', 'SHARDED_STATE_DICT'], 'Checkpoint format.', 'FULL_STATE_DICT (FSDP1), SHARDED_STATE_DICT (FSDP2)', { source: DC }),
  fsdp_offload_params: bool('Offload parameters and gradients to CPU.', false, { source: DC }),
  fsdp_use_orig_params: bool('FSDP1: use_orig_params (needed for torch.compile and for mixed frozen/trainable params).', true, { source: DC }),
  fsdp_cpu_ram_efficient_loading: bool('Load the pretrained weights only on rank 0 (needs fsdp_sync_module_states).', true, { source: DC }),
  fsdp_sync_module_states: bool('Broadcast module states from rank 0.', true, { source: DC }),
  fsdp_activation_checkpointing: bool('Activation checkpointing per FSDP unit.', false, { source: DC }),
  fsdp_limit_all_gathers: bool('Rate-limit all-gathers.', true, { source: DC }),
}, 'warning', { source: DC, unknownNote: 'Accelerate ignores unknown fsdp_config keys.' });

export function accelerateRoot(): ObjSpec {
  return obj('Accelerate config', {
    compute_environment: enm(['LOCAL_MACHINE', 'AMAZON_SAGEMAKER'], 'Where training runs.', 'LOCAL_MACHINE', { source: SRC }),
    distributed_type: enm(DISTRIBUTED_TYPES, 'Distribution backend.', 'NO', { source: SRC }),
    mixed_precision: { ...enm(['no', 'fp16', 'bf16', 'fp8'], 'Mixed precision for the whole run.', 'no', { source: SRC, extra: z.literal(false) }), boolean: true },
    use_cpu: bool('Force CPU.', false, { source: SRC }),
    debug: bool('Extra distributed debug checks.', false, { source: SRC }),
    num_processes: int('Total processes (GPUs) across all machines.', 1, { min: 1, source: SRC }),
    num_machines: int('Number of machines (nodes).', 1, { min: 1, source: SRC }),
    machine_rank: int('Rank of this machine.', 0, { min: 0, source: SRC }),
    gpu_ids: any('GPU ids to use ("all" or "0,1").', 'all', { type: 'str | int', source: SRC }),
    main_process_ip: str('IP of the rank-0 machine.', null, { source: SRC }),
    main_process_port: int('Port of the rank-0 machine.', null, { min: 1, max: 65535, source: SRC }),
    rdzv_backend: enm(['static', 'c10d', 'etcd', 'etcd-v2'], 'torchrun rendezvous backend.', 'static', { source: SRC }),
    same_network: bool('All machines on the same local network.', false, { source: SRC }),
    main_training_function: str('Function to launch (notebook launcher).', 'main', { source: SRC }),
    enable_cpu_affinity: bool('NUMA CPU affinity.', false, { source: SRC }),
    downcast_bf16: any('TPU: downcast to bf16.', 'no', { source: SRC }),
    deepspeed_config: map('DeepSpeed plugin settings (or deepspeed_config_file).', dsConfig, {}),
    fsdp_config: map('FSDP plugin settings.', fsdpConfig, {}),
    parallelism_config: map('ND parallelism (dp/tp/cp sizes).', undefined, {}),
    tp_config: map('Tensor-parallel settings.', undefined, {}),
    megatron_lm_config: map('Megatron-LM plugin settings.', undefined, {}),
    ipex_config: map('IPEX settings.', undefined, {}),
    mpirun_config: map('mpirun settings.', undefined, {}),
    dynamo_config: map('torch.compile (dynamo) settings.', undefined, {}),
    fp8_config: map('FP8 settings (backend, ...).', undefined, {}),
    dynamo_backend: str('Old: use dynamo_config.dynamo_backend (converted by from_yaml_file).', null),
    fp16: bool('Old: converted to mixed_precision: fp16 by from_yaml_file.', null, { deprecated: 'use mixed_precision' }),
    tpu_name: str('TPU name.', null), tpu_zone: str('TPU zone.', null), tpu_use_cluster: bool('TPU pod.', false), tpu_use_sudo: bool('sudo for TPU commands.', false),
    command_file: str('TPU command file.', null), commands: list('str', 'TPU commands.', null), tpu_vm: list('str', 'TPU VMs.', null), tpu_env: list('str', 'TPU env.', []),
    ec2_instance_type: str('SageMaker instance type.', null), iam_role_name: str('SageMaker IAM role.', null), image_uri: str('SageMaker image.', null),
    profile: str('AWS profile.', null), region: str('AWS region.', 'us-east-1'), base_job_name: str('SageMaker job name.', null),
    pytorch_version: str('SageMaker PyTorch version.', null), transformers_version: str('SageMaker transformers version.', null), py_version: str('SageMaker Python version.', null),
    sagemaker_inputs_file: str('SageMaker inputs.', null), sagemaker_metrics_file: str('SageMaker metrics.', null), additional_args: map('SageMaker args.', undefined, null),
  }, 'error', { source: SRC, unknownNote: 'accelerate launch fails with "had unknown keys" for it.' });
}
