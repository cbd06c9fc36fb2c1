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
import { componentTableText } from './components';
import { frameworkName } from './registry';
import { tableChoiceText, tableForVersion } from './tables';
import type { ObjSpec } from './spec';

/** Run's versions by distribution (ValidateOptions.versions). */
type Versions = Readonly<Record<string, string>>;

/** "Axolotl 0.18.0 (067b021c)": the key table of `table` for the run's version of `pkg` (tables.ts tableForVersion). */
function assumes(table: string, label: string, version?: string): string | undefined { const c = tableForVersion(table, version); return c ? tableChoiceText(label, c) : undefined; }

/**
 * `root` with its inline `deepspeed:` mapping (HF/TRL, Axolotl, LLaMA-Factory: a DeepSpeed config written in the YAML instead of a
 * path) judged by the DeepSpeed key table of the run's DeepSpeed `version`, as a standalone ds_config.json of the
 * same workspace is (issue 15): `deepspeedRoot(version)`. Without a version, `root` as it is (every tabled release).
 */
function inlineDeepspeed(root: ObjSpec, version?: string): ObjSpec {
  const ds = root.keys.deepspeed;
  if (!version || !ds?.obj) return root;
  return { ...root, keys: { ...root.keys, deepspeed: { ...ds, obj: deepspeedRoot(version) } } };
}
/** The `assumes` text of a framework whose YAML may hold a DeepSpeed block: its own tables', then DeepSpeed's when known. */
function withDs(own: (string | undefined)[], ds?: string): string | undefined {
  const parts = [...own, ds && assumes('deepspeed', 'DeepSpeed', ds)].filter(Boolean);
  return parts.length ? parts.join('; ') : undefined;
}

const PYYAML = 'PyYAML (yaml.safe_load, YAML 1.1)';
const OMEGA = 'OmegaConf (PyYAML-based, YAML 1.1 booleans)';

/**
 * Each framework's definition for the run's versions (issue 15, "Version awareness": the version picks the key
 * table). The distributions whose versions pick the tables are in {@link TABLE_PKG}.
 */
const builders: Record<Exclude<Framework, 'unknown'>, (v: Versions) => FrameworkDef> = {
  'hf-trainer': (v) => ({ id: 'hf-trainer', label: frameworkName('hf-trainer'), loader: 'pyyaml', loaderName: PYYAML, root: inlineDeepspeed(hfRoot(v.transformers, v.trl), v.deepspeed), numericStrings: 'warning', untypedBools: 'warning', rules: rulesFor('hf-trainer'), refs: refsFor('hf-trainer'), ...(v.transformers || v.trl || v.deepspeed ? { assumes: withDs([v.transformers && assumes('transformers', 'transformers', v.transformers), v.trl && assumes('trl', 'TRL', v.trl)], v.deepspeed) } : {}) }),
  axolotl: (v) => ({ id: 'axolotl', label: frameworkName('axolotl'), loader: 'pyyaml', loaderName: PYYAML, root: inlineDeepspeed(axolotlRoot(v.axolotl), v.deepspeed), numericStrings: 'coerce', rules: rulesFor('axolotl'), refs: refsFor('axolotl'), assumes: withDs([assumes('axolotl', 'Axolotl', v.axolotl)], v.deepspeed) }),
  llamafactory: (v) => ({ id: 'llamafactory', label: frameworkName('llamafactory'), loader: 'omegaconf', loaderName: OMEGA, root: inlineDeepspeed(llamafactoryRoot(v.llamafactory), v.deepspeed), numericStrings: 'warning', untypedBools: 'warning', rules: rulesFor('llamafactory'), refs: refsFor('llamafactory'), assumes: withDs([assumes('llamafactory', 'LLaMA-Factory', v.llamafactory)], v.deepspeed) }),
  torchtune: (v) => ({ id: 'torchtune', label: frameworkName('torchtune'), loader: 'omegaconf', loaderName: OMEGA, root: torchtuneRoot(), numericStrings: 'error', rules: rulesFor('torchtune'), ...(v.torchtune || v.torch ? { assumes: [v.torchtune && componentTableText('torchtune', v.torchtune, 'component'), v.torch && componentTableText('torch', v.torch, 'optimizer')].filter(Boolean).join('; ') } : {}) }),
  deepspeed: (v) => ({ id: 'deepspeed', label: frameworkName('deepspeed'), loader: 'pyyaml', loaderName: "Python's json module", root: deepspeedRoot(v.deepspeed), numericStrings: 'error', rules: rulesFor('deepspeed'), ...(v.deepspeed ? { assumes: assumes('deepspeed', 'DeepSpeed', v.deepspeed) } : {}) }),
  accelerate: () => ({ id: 'accelerate', label: frameworkName('accelerate'), loader: 'pyyaml', loaderName: PYYAML, root: accelerateRoot(), numericStrings: 'error', rules: rulesFor('accelerate'), refs: refsFor('accelerate') }),
  peft: (v) => ({ id: 'peft', label: frameworkName('peft'), loader: 'pyyaml', loaderName: "Python's json module", root: peftRoot(v.peft), numericStrings: 'error', rules: rulesFor('peft'), ...(v.peft ? { assumes: assumes('peft', 'PEFT', v.peft) } : {}) }),
};

/** Layouts of one framework that are read by different code (LLaMA-Factory v1: src/llamafactory/v1/config). */
const variants: Record<string, (v: Versions) => FrameworkDef> = {
  'llamafactory/v1': (v) => ({ id: 'llamafactory', label: 'LLaMA-Factory v1', loader: 'omegaconf', loaderName: OMEGA, root: llamafactoryV1Root(tableForVersion('llamafactory-v1', v.llamafactory)?.table.release), numericStrings: 'warning', rules: [], assumes: assumes('llamafactory-v1', 'LLaMA-Factory v1', v.llamafactory) }),
};

/**
 * The distributions whose versions pick each definition's key tables (the others ignore versions: one cached def).
 * HF/TRL, Axolotl and LLaMA-Factory YAML take an inline DeepSpeed block, judged by the DeepSpeed version's table.
 */
const TABLE_PKG: Record<string, string | string[]> = { 'hf-trainer': ['transformers', 'trl', 'deepspeed'], axolotl: ['axolotl', 'deepspeed'], llamafactory: ['llamafactory', 'deepspeed'], 'llamafactory/v1': 'llamafactory', peft: 'peft', deepspeed: 'deepspeed', torchtune: ['torchtune', 'torch'] };

/**
 * The distributions whose versions decide what the checks of `fw` assume (its key or component tables): with none of
 * them known, a definition's `assumes` is only the newest table (the checks then take every tabled release).
 */
export function tablePackages(fw: Framework): string[] { return [TABLE_PKG[fw] ?? []].flat(); }

const built = new Map<string, FrameworkDef>();
/**
 * The definition of a framework (and layout variant, e.g. `v1`) for the run's `versions` (by distribution name, as
 * ValidateOptions.versions), or undefined for `unknown`. Built once per framework, variant and version of the
 * distribution that picks its key table.
 */
export function frameworkDef(fw: Framework, variant?: string, versions?: Versions): FrameworkDef | undefined {
  if (fw === 'unknown') return undefined;
  const id = variant ? `${fw}/${variant}` : fw;
  const picked: Record<string, string> = {};
  for (const pkg of [TABLE_PKG[id] ?? []].flat()) { const v = versions?.[pkg]; if (v) picked[pkg] = v; }
  const key = [id, ...Object.entries(picked).map(([p, v]) => `${p}@${v}`)].join(' ');
  let d = built.get(key);
  if (!d) { const b = variant ? variants[id] : builders[fw]; if (!b) return undefined; d = b(picked); built.set(key, d); }
  return d;
}
