/**
 * Command templates offered by Launch Run. Each builds argv from what the user picked; the result is then shown
 * as an editable command line (see `./shellWords.ts`) before launch. Sources of the command shapes:
 * - `torchrun`: https://pytorch.org/docs/stable/elastic/run.html (`--nproc_per_node`, `--standalone`)
 * - `accelerate launch`: https://huggingface.co/docs/accelerate/package_reference/cli (`--config_file`, `--num_processes`)
 * - `deepspeed`: https://www.deepspeed.ai/getting-started/ (`--num_gpus`, `--deepspeed_config` read by the script)
 * - `axolotl train <cfg>`: https://docs.axolotl.ai/docs/cli.html
 * - `llamafactory-cli train <cfg>`: https://llamafactory.readthedocs.io (README "Quickstart")
 * - `tune run <recipe> --config <cfg>`: https://pytorch.org/torchtune/stable/tune_cli.html
 */

/** What a template needs; `config` is a path relative to the working directory (or absolute). */
export interface TemplateInput {
  /** Training script, default `train.py`. */
  script?: string;
  config?: string;
  /** Processes (GPUs) per node for launchers; default 1. */
  nproc?: number;
  /** torchtune recipe name, default `lora_finetune_single_device`. */
  recipe?: string;
  /** Python interpreter for plain `python` launches, default `python3` (`python` is Python 2 or missing on many systems). */
  python?: string;
}

export interface CommandTemplate {
  id: 'python' | 'torchrun' | 'accelerate' | 'deepspeed' | 'axolotl' | 'llamafactory' | 'torchtune';
  label: string;
  detail: string;
  /** Which inputs the template uses, so the UI asks only for those. */
  needs: ReadonlyArray<'script' | 'config' | 'nproc' | 'recipe'>;
  build(input: TemplateInput): string[];
}

const cfg = (i: TemplateInput) => i.config ?? 'config.yaml';
const script = (i: TemplateInput) => i.script ?? 'train.py';
const nproc = (i: TemplateInput) => String(Math.max(1, Math.floor(i.nproc ?? 1)));

/** All templates, in the order the QuickPick shows them. */
export const COMMAND_TEMPLATES: readonly CommandTemplate[] = [
  {
    id: 'python', label: 'python3 train.py --config <config>', detail: 'A plain training script (single process)',
    needs: ['script', 'config'],
    build: (i) => [i.python ?? 'python3', '-u', script(i), '--config', cfg(i)],
  },
  {
    id: 'torchrun', label: 'torchrun --nproc_per_node N train.py --config <config>', detail: 'PyTorch elastic launcher, one node',
    needs: ['script', 'config', 'nproc'],
    build: (i) => ['torchrun', '--standalone', '--nproc_per_node', nproc(i), script(i), '--config', cfg(i)],
  },
  {
    id: 'accelerate', label: 'accelerate launch train.py --config <config>', detail: 'Hugging Face Accelerate',
    needs: ['script', 'config', 'nproc'],
    build: (i) => ['accelerate', 'launch', '--num_processes', nproc(i), script(i), '--config', cfg(i)],
  },
  {
    id: 'deepspeed', label: 'deepspeed --num_gpus N train.py --deepspeed <ds_config.json>', detail: 'DeepSpeed launcher',
    needs: ['script', 'config', 'nproc'],
    build: (i) => ['deepspeed', '--num_gpus', nproc(i), script(i), '--deepspeed', i.config ?? 'ds_config.json'],
  },
  {
    id: 'axolotl', label: 'axolotl train <config>', detail: 'Axolotl fine-tuning',
    needs: ['config'],
    build: (i) => ['axolotl', 'train', cfg(i)],
  },
  {
    id: 'llamafactory', label: 'llamafactory-cli train <config>', detail: 'LLaMA-Factory',
    needs: ['config'],
    build: (i) => ['llamafactory-cli', 'train', cfg(i)],
  },
  {
    id: 'torchtune', label: 'tune run <recipe> --config <config>', detail: 'torchtune recipes',
    needs: ['recipe', 'config'],
    build: (i) => ['tune', 'run', i.recipe ?? 'lora_finetune_single_device', '--config', cfg(i)],
  },
];

/**
 * Picks the template that most likely fits a config file from its name and (optionally) first bytes:
 * DeepSpeed JSON, torchtune (`_component_:`), Axolotl (`base_model:` + `datasets:`), LLaMA-Factory (`stage:`
 * + `model_name_or_path:`), else plain python.
 */
export function guessTemplate(configPath: string, text = ''): CommandTemplate['id'] {
  const base = configPath.split(/[\\/]/).pop() ?? '';
  if (/^(ds_config|deepspeed|zero).*\.json$/i.test(base) || /"zero_optimization"/.test(text)) return 'deepspeed';
  if (/_component_\s*:/.test(text)) return 'torchtune';
  if (/^\s*stage\s*:/m.test(text) && /^\s*model_name_or_path\s*:/m.test(text)) return 'llamafactory';
  if (/^\s*base_model\s*:/m.test(text) && /^\s*datasets\s*:/m.test(text)) return 'axolotl';
  return 'python';
}
