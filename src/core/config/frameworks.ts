/** The registry of framework definitions (schemas built once, lazily). */
import type { Framework } from './types';
import type { FrameworkDef } from './engine';
import { hfRoot } from './schemas/hf';
import { axolotlRoot } from './schemas/axolotl';
import { llamafactoryRoot } from './schemas/llamafactory';
import { torchtuneRoot } from './schemas/torchtune';
import { deepspeedRoot } from './schemas/deepspeed';
import { accelerateRoot } from './schemas/accelerate';
import { peftRoot } from './schemas/peft';
import { rulesFor, refsFor } from './rules';
import { frameworkName } from './registry';

const PYYAML = 'PyYAML (yaml.safe_load, YAML 1.1)';
const OMEGA = 'OmegaConf (PyYAML-based, YAML 1.1 booleans)';

const builders: Record<Exclude<Framework, 'unknown'>, () => FrameworkDef> = {
  'hf-trainer': () => ({ id: 'hf-trainer', label: frameworkName('hf-trainer'), loader: 'pyyaml', loaderName: PYYAML, root: hfRoot(), numericStrings: 'warning', rules: rulesFor('hf-trainer'), refs: refsFor('hf-trainer') }),
  axolotl: () => ({ id: 'axolotl', label: frameworkName('axolotl'), loader: 'pyyaml', loaderName: PYYAML, root: axolotlRoot(), numericStrings: 'coerce', rules: rulesFor('axolotl'), refs: refsFor('axolotl') }),
  llamafactory: () => ({ id: 'llamafactory', label: frameworkName('llamafactory'), loader: 'omegaconf', loaderName: OMEGA, root: llamafactoryRoot(), numericStrings: 'warning', rules: rulesFor('llamafactory'), refs: refsFor('llamafactory') }),
  torchtune: () => ({ id: 'torchtune', label: frameworkName('torchtune'), loader: 'omegaconf', loaderName: OMEGA, root: torchtuneRoot(), numericStrings: 'error', rules: rulesFor('torchtune') }),
  deepspeed: () => ({ id: 'deepspeed', label: frameworkName('deepspeed'), loader: 'pyyaml', loaderName: "Python's json module", root: deepspeedRoot(), numericStrings: 'error', rules: rulesFor('deepspeed') }),
  accelerate: () => ({ id: 'accelerate', label: frameworkName('accelerate'), loader: 'pyyaml', loaderName: PYYAML, root: accelerateRoot(), numericStrings: 'error', rules: rulesFor('accelerate'), refs: refsFor('accelerate') }),
  peft: () => ({ id: 'peft', label: frameworkName('peft'), loader: 'pyyaml', loaderName: "Python's json module", root: peftRoot(), numericStrings: 'error', rules: rulesFor('peft') }),
};

const built = new Map<Framework, FrameworkDef>();
/** The definition of a framework, or undefined for `unknown`. */
export function frameworkDef(fw: Framework): FrameworkDef | undefined {
  if (fw === 'unknown') return undefined;
  let d = built.get(fw);
  if (!d) { const b = builders[fw]; if (!b) return undefined; d = b(); built.set(fw, d); }
  return d;
}
