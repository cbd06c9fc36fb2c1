/**
 * Checkpoint details: summary, problems, totals per dtype and module kind, metadata, tied tensors, PEFT details,
 * checkpoints of a run, and the tensors grouped by layer prefix (collapsible, filterable). All file-derived text is set
 * with textContent; nothing from a checkpoint reaches innerHTML.
 */
import './style.css';
import { el, table } from '../../src/shared/dom';
import { formatBytes as bytes, formatCount as params } from '../../src/shared/format';
import { dispatch, type Handlers } from '../../src/shared/protocol/dispatch';
import type { CheckpointIn, CheckpointOut, CheckpointReport } from '../../src/shared/protocol/checkpoint';

interface VsCodeApi { postMessage(message: CheckpointIn): void; getState(): { filter?: string } | undefined; setState(s: { filter?: string }): void }
declare function acquireVsCodeApi(): VsCodeApi;
const vscode = acquireVsCodeApi();


const root = el('div');
document.body.append(root);
let filter = vscode.getState()?.filter ?? '';

function renderTensors(container: HTMLElement, report: CheckpointReport, groups: string[]): void {
  container.replaceChildren();
  const f = filter.toLowerCase();
  const byGroup = new Map<string, number[]>();
  report.tensors.forEach((t, i) => {
    if (f && !t.name.toLowerCase().includes(f) && !t.dtype.toLowerCase().includes(f)) return;
    const g = groups[i] ?? '';
    const list = byGroup.get(g) ?? []; list.push(i); byGroup.set(g, list);
  });
  let shown = 0;
  for (const [g, idx] of byGroup) {
    const d = el('details');
    if (byGroup.size <= 3 || f) d.open = true;
    const s = el('summary', g || '(top level)');
    const p = idx.reduce((a, i) => a + report.tensors[i].shape.reduce((x, y) => x * y, 1), 0);
    s.append(el('span', `${idx.length} tensors · ${params(p)} params · ${bytes(idx.reduce((a, i) => a + report.tensors[i].bytes, 0))}`, 'muted'));
    d.append(s);
    const rows = idx.slice(0, 2000).map((i) => { const t = report.tensors[i]; return [t.name, t.dtype, `[${t.shape.join(', ')}]`, t.shape.reduce((x, y) => x * y, 1), bytes(t.bytes)]; });
    const t = table(['name', 'dtype', 'shape', 'parameters', 'bytes'], rows);
    t.querySelectorAll('tr td:first-child').forEach((c) => c.classList.add('name'));
    d.append(t);
    container.append(d);
    shown += idx.length;
  }
  if (shown === 0) container.append(el('div', report.tensors.length ? 'No tensor matches the filter.' : 'No tensors listed.', 'muted'));
}

function render(m: CheckpointOut): void {
  root.replaceChildren(el('h1', m.title));
  if (m.type === 'loading') { root.append(el('div', 'Reading headers…', 'muted')); return; }
  if (m.type === 'error') { root.append(el('div', m.message, 'problem error')); return; }
  const r = m.report;
  const sum = el('div', undefined, 'summary');
  for (const [k, v] of [['format', r.format], ['tensors', String(r.tensors.length)], ['parameters', params(r.parameters)], ['size', bytes(r.bytes)], ['host', r.host]]) {
    const s = el('span', `${k} `); s.append(el('b', v)); sum.append(s);
  }
  const refresh = el('button', 'Refresh'); refresh.onclick = () => vscode.postMessage({ type: 'refresh' });
  sum.append(refresh);
  root.append(sum);
  if (r.problems.length) {
    root.append(el('h2', `Problems (${r.problems.length})`));
    for (const p of r.problems) root.append(el('div', `${p.severity}: ${p.message}`, `problem ${p.severity}`));
  }
  if (r.checkpoints?.length) {
    root.append(el('h2', 'Checkpoints'));
    root.append(table(['', 'step', 'path', 'metric', 'size'], r.checkpoints.map((c) => [c.best ? '★' : '', c.step ?? '', c.path, c.metric ? `${c.metric.name} ${c.metric.value}` : '', c.bytes !== undefined ? bytes(c.bytes) : ''])));
  }
  if (r.deepspeed) {
    root.append(el('h2', 'DeepSpeed'));
    root.append(table(['tag', 'step', 'world size', 'ZeRO stage'], [[r.deepspeed.tag ?? '', r.deepspeed.step ?? '', r.deepspeed.world_size ?? '', r.deepspeed.zero_stage ?? '']]));
  }
  if (r.peft) {
    root.append(el('h2', 'PEFT adapter'));
    root.append(table(['type', 'r', 'lora_alpha', 'target modules', 'trainable', 'base params attached'], [[r.peft.peft_type ?? '', r.peft.r ?? '', r.peft.lora_alpha ?? '', r.peft.target_modules.join(', '), params(r.peft.trainable_parameters), params(r.peft.attached_base_parameters)]]));
    root.append(table(['base tensor', 'adapters'], r.peft.attachments.slice(0, 500).map((a) => [a.base, a.adapters.map((x) => x.split('.').slice(-2).join('.')).join(', ')])));
  }
  if (r.tensors.length) {
    root.append(el('h2', 'Totals'));
    root.append(table(['dtype', 'tensors', 'parameters', 'bytes'], Object.entries(r.byDtype).map(([k, t]) => [k, t.tensors, params(t.parameters), bytes(t.bytes)])));
    root.append(el('div', '\u00a0'));
    root.append(table(['module kind', 'tensors', 'parameters', 'bytes'], Object.entries(r.byKind).map(([k, t]) => [k, t!.tensors, params(t!.parameters), bytes(t!.bytes)])));
  }
  if (r.tied.length) { root.append(el('h2', 'Tied / shared tensors')); root.append(table(['tensor', 'shares storage with'], r.tied.map(([a, b]) => [a, b]))); }
  const meta = Object.entries(r.metadata);
  if (meta.length) { root.append(el('h2', 'Metadata')); root.append(table(['key', 'value'], meta.map(([k, v]) => [k, v.length > 300 ? `${v.slice(0, 297)}...` : v]))); }
  if (r.tensors.length) {
    root.append(el('h2', 'Tensors'));
    const input = el('input', undefined, 'filter');
    input.placeholder = 'Filter by name or dtype';
    input.value = filter;
    const list = el('div');
    input.oninput = () => { filter = input.value; vscode.setState({ filter }); renderTensors(list, r, m.groups); };
    root.append(input, list);
    renderTensors(list, r, m.groups);
  }
}

const handlers = { snapshot: render, error: render, loading: render } satisfies Handlers<CheckpointOut>;
window.addEventListener('message', (e: MessageEvent<CheckpointOut>) => { if (e.data && typeof e.data.type === 'string') void dispatch(handlers, e.data); });
vscode.postMessage({ type: 'ready' });
