/** The registry of framework definitions (schemas built once, lazily). */
import type { Framework } from './types';
import type { FrameworkDef } from './engine';
import { hfRoot } from './schemas/hf';
import { axolotlRoot } from './schemas/axolotl';
import { llamafactoryRoot, llamafactoryV1Root } from './schemas/llamafactory';
import { torchtuneRoot } from './schemas/torchtune';
import { deepspeedRoot } from './schemas/deepspeed';
import { accelerateRoot } from './schemas/accelerate';
import { peftRoot } from './schemas/peft';
import { rulesFor, refsFor } from './rules';
import { frameworkName } from './registry';
import { keyTable, tableRelease } from './tables';

function assumes(table: string, label: string): string | undefined { const t = keyTable(table); return t ? `${label} ${tableRelease(t)}` : undefined; }

const PYYAML = 'PyYAML (yaml.safe_load, YAML 1.1)';
const OMEGA = 'OmegaConf (PyYAML-based, YAML 1.1 booleans)';

const builders: Record<Exclude<Framework, 'unknown'>, () => FrameworkDef> = {
  'hf-trainer': () => ({ id: 'hf-trainer', label: frameworkName('hf-trainer'), loader: 'pyyaml', loaderName: PYYAML, root: hfRoot(), numericStrings: 'warning', rules: rulesFor('hf-trainer'), refs: refsFor('hf-trainer') }),
  axolotl: () => ({ id: 'axolotl', label: frameworkName('axolotl'), loader: 'pyyaml', loaderName: PYYAML, root: axolotlRoot(), numericStrings: 'coerce', rules: rulesFor('axolotl'), refs: refsFor('axolotl'), assumes: assumes('axolotl', 'Axolotl') }),
  llamafactory: () => ({ id: 'llamafactory', label: frameworkName('llamafactory'), loader: 'omegaconf', loaderName: OMEGA, root: llamafactoryRoot(), numericStrings: 'warning', rules: rulesFor('llamafactory'), refs: refsFor('llamafactory'), assumes: assumes('llamafactory', 'LLaMA-Factory') }),
  torchtune: () => ({ id: 'torchtune', label: frameworkName('torchtune'), loader: 'omegaconf', loaderName: OMEGA, root: torchtuneRoot(), numericStrings: 'error', rules: rulesFor('torchtune') }),
  deepspeed: () => ({ id: 'deepspeed', label: frameworkName('deepspeed'), loader: 'pyyaml', loaderName: "Python's json module", root: deepspeedRoot(), numericStrings: 'error', rules: rulesFor('deepspeed') }),
  accelerate: () => ({ id: 'accelerate', label: frameworkName('accelerate'), loader: 'pyyaml', loaderName: PYYAML, root: accelerateRoot(), numericStrings: 'error', rules: rulesFor('accelerate'), refs: refsFor('accelerate') }),
  peft: () => ({ id: 'peft', label: frameworkName('peft'), loader: 'pyyaml', loaderName: "Python's json module", root: peftRoot(), numericStrings: 'error', rules: rulesFor('peft') }),
};

/** Layouts of one framework that are read by different code (LLaMA-Factory v1: src/llamafactory/v1/config). */
const variants: Record<string, () => FrameworkDef> = {
  'llamafactory/v1': () => ({ id: 'llamafactory', label: 'LLaMA-Factory v1', loader: 'omegaconf', loaderName: OMEGA, root: llamafactoryV1Root(), numericStrings: 'warning', rules: [], assumes: assumes('llamafactory-v1', 'LLaMA-Factory v1') }),
};

const built = new Map<string, FrameworkDef>();
/** The definition of a framework (and layout variant, e.g. `v1`), or undefined for `unknown`. */
export function frameworkDef(fw: Framework, variant?: string): FrameworkDef | undefined {
  if (fw === 'unknown') return undefined;
  const id = variant ? `${fw}/${variant}` : fw;
  let d = built.get(id);
  if (!d) { const b = variant ? variants[id] : builders[fw]; if (!b) return undefined; d = b(); built.set(id, d); }
  return d;
}
