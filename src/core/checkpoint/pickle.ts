/**
 * A pickle reader that executes nothing (opcodes per CPython's Lib/pickletools.py, protocols 0-5). It builds plain
 * values; a GLOBAL is only a name, and REDUCE / NEWOBJ / BUILD on it make an inert `PickleObject` recording the call,
 * except for the few torch rebuild functions it understands (the allowlist of `torch/_weights_only_unpickler.py`):
 * `torch._utils._rebuild_tensor_v2`, `_rebuild_parameter`, `_rebuild_parameter_with_state`,
 * `torch._tensor._rebuild_from_type_v2` and `collections.OrderedDict`, which give `TorchTensorRef`s and Maps.
 * Persistent ids `('storage', storage_type, key, location, numel)` (torch/serialization.py `persistent_load`) become
 * `TorchStorageRef`s. Budgets on opcodes and container sizes keep memory bounded on hostile input.
 */

/** A global name (`torch._utils._rebuild_tensor_v2`), never resolved. */
export class PickleGlobal { constructor(readonly module: string, readonly name: string) {} get full(): string { return `${this.module}.${this.name}`; } }
/** An object whose construction we did not perform: the callable, its arguments, and any BUILD state. */
export class PickleObject { state: unknown; constructor(readonly callable: PickleGlobal | unknown, readonly args: unknown[]) {} }
/** A storage from a persistent id: key = member name under `data/`, dtype in safetensors notation. */
export interface TorchStorageRef { kind: 'storage'; key: string; dtype: string; location: string; numel: number }
/** A tensor rebuilt by `_rebuild_tensor_v2`: a view of a storage. */
export interface TorchTensorRef { kind: 'tensor'; storage: TorchStorageRef; offset: number; shape: number[]; stride: number[] }

/** Thrown on malformed or over-budget pickles. */
export class PickleError extends Error {}

/** Legacy storage class names -> safetensors dtype (torch/storage.py `_dtype_to_storage_type_map`). */
export const TORCH_STORAGE_DTYPES: Record<string, string> = {
  DoubleStorage: 'F64', FloatStorage: 'F32', HalfStorage: 'F16', BFloat16Storage: 'BF16', LongStorage: 'I64',
  IntStorage: 'I32', ShortStorage: 'I16', CharStorage: 'I8', ByteStorage: 'U8', BoolStorage: 'BOOL',
  ComplexFloatStorage: 'C64', ComplexDoubleStorage: 'C128', Float8_e4m3fnStorage: 'F8_E4M3', Float8_e5m2Storage: 'F8_E5M2',
  UInt16Storage: 'U16', UInt32Storage: 'U32', UInt64Storage: 'U64', QInt8Storage: 'I8', QUInt8Storage: 'U8', QInt32Storage: 'I32',
};
/** torch dtype names -> safetensors dtype (for `torch.float16`-style globals). */
export const TORCH_DTYPES: Record<string, string> = {
  float64: 'F64', double: 'F64', float32: 'F32', float: 'F32', float16: 'F16', half: 'F16', bfloat16: 'BF16', int64: 'I64', long: 'I64',
  int32: 'I32', int: 'I32', int16: 'I16', short: 'I16', int8: 'I8', uint8: 'U8', bool: 'BOOL', float8_e4m3fn: 'F8_E4M3', float8_e5m2: 'F8_E5M2',
  complex64: 'C64', uint16: 'U16', uint32: 'U32', uint64: 'U64',
};

export interface PickleLimits { maxOps: number; maxItems: number }
const DEFAULT_LIMITS: PickleLimits = { maxOps: 50_000_000, maxItems: 20_000_000 };

const MARK = Symbol('mark');

/** Parses a pickle and returns the top value. Throws PickleError on malformed input or when a budget is spent. */
export function readPickle(data: Uint8Array, limits: PickleLimits = DEFAULT_LIMITS): unknown {
  const v = new DataView(data.buffer, data.byteOffset, data.length);
  const dec = new TextDecoder();
  const latin1 = new TextDecoder('latin1');
  const stack: unknown[] = [];
  const marks: number[] = [];
  const memo = new Map<number, unknown>();
  let p = 0, ops = 0, items = 0;
  const need = (n: number): void => { if (p + n > data.length) throw new PickleError(`pickle ends inside an opcode at byte ${p}`); };
  const u8 = (): number => { need(1); return data[p++]; };
  const u16 = (): number => { need(2); const x = v.getUint16(p, true); p += 2; return x; };
  const u32 = (): number => { need(4); const x = v.getUint32(p, true); p += 4; return x; };
  const i32 = (): number => { need(4); const x = v.getInt32(p, true); p += 4; return x; };
  const u64 = (): number => { need(8); const x = v.getBigUint64(p, true); p += 8; if (x > BigInt(data.length)) throw new PickleError('length past the end of the pickle'); return Number(x); };
  const bytes = (n: number): Uint8Array => { need(n); const b = data.subarray(p, p + n); p += n; return b; };
  const line = (): string => { const e = data.indexOf(0x0a, p); if (e < 0) throw new PickleError('unterminated text opcode'); const s = latin1.decode(data.subarray(p, e)); p = e + 1; return s; };
  const pop = (): unknown => { if (!stack.length) throw new PickleError('stack underflow'); return stack.pop(); };
  const popMark = (): unknown[] => { const m = marks.pop(); if (m === undefined) throw new PickleError('no MARK'); const out = stack.splice(m); items += out.length; if (items > limits.maxItems) throw new PickleError('pickle over its item budget'); return out; };
  const top = (): unknown => { if (!stack.length) throw new PickleError('stack underflow'); return stack[stack.length - 1]; };
  const setItem = (d: unknown, k: unknown, val: unknown): void => {
    if (d instanceof Map) d.set(k, val);
    else if (d instanceof PickleObject) { // a dict subclass built by NEWOBJ: keep its items as state
      if (!(d.state instanceof Map)) d.state = new Map();
      (d.state as Map<unknown, unknown>).set(k, val);
    } else throw new PickleError('SETITEM on a non-dict');
  };
  const longLE = (b: Uint8Array): number => { let x = 0n; for (let i = b.length - 1; i >= 0; i--) x = (x << 8n) | BigInt(b[i]); if (b.length && b[b.length - 1] & 0x80) x -= 1n << BigInt(8 * b.length); return Number(x); };
  while (true) {
    if (++ops > limits.maxOps) throw new PickleError('pickle over its opcode budget');
    const op = u8();
    switch (op) {
      case 0x80: u8(); break; // PROTO
      case 0x95: p += 8; break; // FRAME (the frame length is advisory)
      case 0x2e: return pop(); // STOP
      case 0x28: marks.push(stack.length); break; // MARK
      case 0x7d: stack.push(new Map()); break; // EMPTY_DICT
      case 0x5d: stack.push([]); break; // EMPTY_LIST
      case 0x29: stack.push([]); break; // EMPTY_TUPLE (tuples are arrays)
      case 0x8f: stack.push(new Set()); break; // EMPTY_SET
      case 0x4e: stack.push(null); break; // NONE
      case 0x88: stack.push(true); break;
      case 0x89: stack.push(false); break;
      case 0x4a: stack.push(i32()); break; // BININT
      case 0x4b: stack.push(u8()); break; // BININT1
      case 0x4d: stack.push(u16()); break; // BININT2
      case 0x8a: stack.push(longLE(bytes(u8()))); break; // LONG1
      case 0x8b: { const n = u32(); stack.push(longLE(bytes(n))); break; } // LONG4
      case 0x47: { need(8); stack.push(v.getFloat64(p, false)); p += 8; break; } // BINFLOAT (big-endian)
      case 0x49: { const s = line(); stack.push(s === '00' ? false : s === '01' ? true : Number(s)); break; } // INT
      case 0x4c: stack.push(Number(line().replace(/L$/, ''))); break; // LONG
      case 0x46: stack.push(Number(line())); break; // FLOAT
      case 0x53: stack.push(line().replace(/^['"]|['"]$/g, '')); break; // STRING
      case 0x56: stack.push(line()); break; // UNICODE (raw-unicode-escape; close enough for names)
      case 0x58: { const n = u32(); stack.push(dec.decode(bytes(n))); break; } // BINUNICODE
      case 0x8c: { const n = u8(); stack.push(dec.decode(bytes(n))); break; } // SHORT_BINUNICODE
      case 0x8d: { const n = u64(); stack.push(dec.decode(bytes(n))); break; } // BINUNICODE8
      case 0x54: { const n = u32(); stack.push(latin1.decode(bytes(n))); break; } // BINSTRING
      case 0x55: { const n = u8(); stack.push(latin1.decode(bytes(n))); break; } // SHORT_BINSTRING
      case 0x42: { const n = u32(); stack.push(bytes(n)); break; } // BINBYTES
      case 0x43: { const n = u8(); stack.push(bytes(n)); break; } // SHORT_BINBYTES
      case 0x8e: case 0x96: { const n = u64(); stack.push(bytes(n)); break; } // BINBYTES8, BYTEARRAY8
      case 0x97: case 0x98: throw new PickleError('out-of-band buffers are not supported'); // NEXT_BUFFER, READONLY_BUFFER
      case 0x71: memo.set(u8(), top()); break; // BINPUT
      case 0x72: memo.set(u32(), top()); break; // LONG_BINPUT
      case 0x70: memo.set(Number(line()), top()); break; // PUT
      case 0x94: memo.set(memo.size, top()); break; // MEMOIZE
      case 0x68: case 0x6a: case 0x67: { // BINGET, LONG_BINGET, GET
        const k = op === 0x68 ? u8() : op === 0x6a ? u32() : Number(line());
        if (!memo.has(k)) throw new PickleError(`memo key ${k} missing`);
        stack.push(memo.get(k)); break;
      }
      case 0x63: { const mod = line(); const name = line(); stack.push(new PickleGlobal(mod, name)); break; } // GLOBAL
      case 0x93: { const name = pop(); const mod = pop(); stack.push(new PickleGlobal(String(mod), String(name))); break; } // STACK_GLOBAL
      case 0x30: pop(); break; // POP
      case 0x31: popMark(); break; // POP_MARK
      case 0x32: stack.push(top()); break; // DUP
      case 0x74: stack.push(popMark()); break; // TUPLE
      case 0x85: stack.push([pop()]); break; // TUPLE1
      case 0x86: { const b = pop(); const a = pop(); stack.push([a, b]); break; } // TUPLE2
      case 0x87: { const c = pop(); const b = pop(); const a = pop(); stack.push([a, b, c]); break; } // TUPLE3
      case 0x6c: stack.push(popMark()); break; // LIST
      case 0x64: { const xs = popMark(); const m = new Map(); for (let i = 0; i + 1 < xs.length; i += 2) m.set(xs[i], xs[i + 1]); stack.push(m); break; } // DICT
      case 0x61: { const x = pop(); const l = top(); if (Array.isArray(l)) l.push(x); break; } // APPEND
      case 0x65: { const xs = popMark(); const l = top(); if (Array.isArray(l)) for (const x of xs) l.push(x); break; } // APPENDS
      case 0x73: { const val = pop(); const k = pop(); setItem(top(), k, val); break; } // SETITEM
      case 0x75: { const xs = popMark(); const d = top(); for (let i = 0; i + 1 < xs.length; i += 2) setItem(d, xs[i], xs[i + 1]); break; } // SETITEMS
      case 0x90: { const xs = popMark(); const s = top(); if (s instanceof Set) for (const x of xs) s.add(x); break; } // ADDITEMS
      case 0x91: stack.push(new Set(popMark())); break; // FROZENSET
      case 0x52: { const args = pop(); const fn = pop(); stack.push(reduce(fn, Array.isArray(args) ? args : [args])); break; } // REDUCE
      case 0x81: { const args = pop(); const cls = pop(); stack.push(reduce(cls, Array.isArray(args) ? args : [args])); break; } // NEWOBJ
      case 0x92: { pop(); const args = pop(); const cls = pop(); stack.push(reduce(cls, Array.isArray(args) ? args : [args])); break; } // NEWOBJ_EX
      case 0x62: { const state = pop(); const obj = top(); if (obj instanceof PickleObject) obj.state = state; break; } // BUILD
      case 0x51: stack.push(persistentLoad(pop())); break; // BINPERSID
      case 0x50: stack.push(persistentLoad(line())); break; // PERSID
      case 0x6f: { const xs = popMark(); const cls = xs.shift(); stack.push(new PickleObject(cls, xs)); break; } // OBJ
      case 0x69: { const mod = line(); const name = line(); stack.push(new PickleObject(new PickleGlobal(mod, name), popMark())); break; } // INST
      case 0x82: case 0x83: case 0x84: throw new PickleError('extension registry opcodes are not supported'); // EXT1/2/4
      default: throw new PickleError(`unknown pickle opcode 0x${op.toString(16)} at byte ${p - 1} (not a pickle, or corrupt)`);
    }
  }
}

function asNumbers(x: unknown): number[] {
  if (Array.isArray(x)) return x.map((n) => Number(n));
  if (x instanceof PickleObject && x.callable instanceof PickleGlobal && x.callable.full === 'torch.Size') return asNumbers(x.args[0]);
  return [];
}

/** Applies the torch rebuild functions we understand; anything else stays an inert PickleObject. */
function reduce(fn: unknown, args: unknown[]): unknown {
  if (fn instanceof PickleGlobal) {
    switch (fn.full) {
      case 'torch._utils._rebuild_tensor_v2':
      case 'torch._utils._rebuild_tensor': {
        const storage = args[0] as TorchStorageRef;
        if (storage && (storage as { kind?: string }).kind === 'storage') {
          return { kind: 'tensor', storage, offset: Number(args[1] ?? 0), shape: asNumbers(args[2]), stride: asNumbers(args[3]) } satisfies TorchTensorRef;
        }
        break;
      }
      case 'torch._utils._rebuild_parameter':
      case 'torch._utils._rebuild_parameter_with_state':
        return args[0];
      case 'torch._tensor._rebuild_from_type_v2':
        return reduce(args[0], Array.isArray(args[2]) ? args[2] : []);
      case 'collections.OrderedDict':
        return new Map();
      case 'builtins.set': return new Set(Array.isArray(args[0]) ? args[0] : []);
      case 'torch.Size': return asNumbers(args[0]);
    }
  }
  return new PickleObject(fn, args);
}

function persistentLoad(pid: unknown): unknown {
  if (Array.isArray(pid) && pid[0] === 'storage') {
    const [, type, key, location, numel] = pid;
    let dtype = 'unknown';
    if (type instanceof PickleGlobal) dtype = TORCH_STORAGE_DTYPES[type.name] ?? TORCH_DTYPES[type.name] ?? type.name;
    return { kind: 'storage', key: String(key), dtype, location: String(location), numel: Number(numel) } satisfies TorchStorageRef;
  }
  return new PickleObject(new PickleGlobal('persistent_id', 'unknown'), [pid]);
}

/** Whether `x` is a TorchTensorRef. */
export function isTensorRef(x: unknown): x is TorchTensorRef {
  return !!x && typeof x === 'object' && (x as { kind?: string }).kind === 'tensor';
}
