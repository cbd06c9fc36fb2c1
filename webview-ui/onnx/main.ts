/**
 * ONNX model view: producer, opsets, inputs/outputs with shapes, op-type histogram, initializers, external data files.
 * Every text from the model is set with textContent; nothing from a file reaches innerHTML.
 */
import './style.css';
import '@vscode-elements/elements/dist/vscode-button/index.js';
import { el, table } from '../../src/shared/dom';
import { formatBytes as bytes } from '../../src/shared/format';
import { dispatch, type Handlers } from '../../src/shared/protocol/dispatch';
import type { OnnxIn, OnnxOut, OnnxValueInfo } from '../../src/shared/protocol/onnx';

interface VsCodeApi { postMessage(message: OnnxIn): void }
declare function acquireVsCodeApi(): VsCodeApi;
const vscode = acquireVsCodeApi();

const shape = (v: OnnxValueInfo): string => (v.hasShape ? `[${v.shape.map((d) => (d === null ? '?' : String(d))).join(', ')}]` : '(rank unknown)');

const root = el('div');
document.body.append(root);

function toolbar(): HTMLElement {
  const bar = el('div', undefined, 'toolbar');
  const refresh = document.createElement('vscode-button');
  refresh.textContent = 'Refresh';
  refresh.setAttribute('secondary', '');
  refresh.addEventListener('click', () => vscode.postMessage({ type: 'refresh' }));
  bar.append(refresh);
  return bar;
}

function render(m: Extract<OnnxOut, { type: 'snapshot' }>): void {
  const s = m.summary;
  const name = s.path.split('/').pop() ?? s.path;
  const items: Node[] = [el('h1', name), el('div', `${m.host === 'local' ? '' : `${m.host}:`}${s.path} · ${bytes(s.fileSize)} · read in ${m.parseMs} ms`, 'sub'), toolbar()];
  const grid = el('div', undefined, 'grid');
  const kv = (k: string, v: string): void => { grid.append(el('div', k), el('div', v, 'mono')); };
  kv('producer', `${s.producerName ?? '?'} ${s.producerVersion ?? ''}`.trim());
  kv('IR version', String(s.irVersion ?? '?'));
  kv('opset imports', s.opsetImports.map((o) => `${o.domain || 'ai.onnx'} ${o.version}`).join(', ') || '(none)');
  if (s.graphName) kv('graph', s.graphName);
  kv('nodes', s.nodeCount.toLocaleString('en-US'));
  kv('initializers', `${s.initializerCount.toLocaleString('en-US')} · ${bytes(s.initializerBytes)} (${bytes(s.embeddedBytes)} in the file, ${bytes(s.externalBytes)} external)`);
  for (const [k, v] of Object.entries(s.metadata)) kv(`metadata: ${k}`, v);
  items.push(grid);

  items.push(el('h2', `Inputs (${s.inputs.length})`), table(['name', 'shape', 'dtype'], s.inputs.map((v) => [v.name, shape(v), v.dtype])));
  items.push(el('h2', `Outputs (${s.outputs.length})`), table(['name', 'shape', 'dtype'], s.outputs.map((v) => [v.name, shape(v), v.dtype])));

  if (s.externalData.length) {
    const ok = s.externalData.every((e) => e.status === 'ok');
    items.push(el('h2', `External data (${s.externalData.length} file${s.externalData.length === 1 ? '' : 's'}: ${ok ? 'all present' : 'INCOMPLETE'})`));
    items.push(table(['file', 'tensors', 'bytes needed', 'size', 'status'], s.externalData.map((e) => [
      e.location, e.tensors, bytes(e.requiredSize), e.size === undefined ? '-' : bytes(e.size),
      el('span', e.status === 'ok' ? 'present' : e.status === 'short' ? 'too short (truncated copy?)' : e.status === 'outside' ? 'outside the model folder' : 'missing', e.status === 'ok' ? 'ok' : 'bad'),
    ])));
  } else {
    items.push(el('h2', 'External data'), el('div', 'none: all weights are inside the .onnx file', 'sub'));
  }

  const max = s.opTypes[0]?.count ?? 1;
  items.push(el('h2', `Operators (${s.opTypes.length} types, ${s.nodeCount} nodes)`));
  items.push(table(['op_type', 'count', ''], s.opTypes.map((o) => {
    const bar = el('span', undefined, 'bar');
    bar.style.width = `${Math.max(2, Math.round((o.count / max) * 200))}px`;
    return [o.opType, o.count, bar];
  })));
  root.replaceChildren(...items);
}

const handlers = {
  snapshot: (m) => render(m),
  error: (m) => { root.replaceChildren(el('h1', m.path.split('/').pop() ?? m.path), el('div', m.message, 'error'), toolbar()); },
} satisfies Handlers<OnnxOut>;

window.addEventListener('message', (e: MessageEvent<OnnxOut>) => { if (e.data && typeof e.data.type === 'string') void dispatch(handlers, e.data); });
vscode.postMessage({ type: 'ready' });
