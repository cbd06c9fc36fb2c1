/**
 * The small messages of `onnx.proto` that the model reader decodes whole, as protobufjs definitions written here
 * (ValueInfoProto, TypeProto, TensorShapeProto, OperatorSetIdProto; field numbers from
 * https://github.com/onnx/onnx/blob/main/onnx/onnx.proto, unchanged since onnx 1.10), plus TensorProto.DataType.
 * The large messages (ModelProto, GraphProto, NodeProto, TensorProto) are walked on the wire format in `model.ts`, so
 * initializer data is never decoded.
 */
import type { Type } from 'protobufjs/light';
import { protobufLight } from '../vendor';

/** TensorProto.DataType -> numpy-style name and bytes per element (0.5 for 4-bit types, 0 for strings). */
export const ONNX_DTYPES: Record<number, { name: string; bytes: number }> = {
  1: { name: 'float32', bytes: 4 }, 2: { name: 'uint8', bytes: 1 }, 3: { name: 'int8', bytes: 1 }, 4: { name: 'uint16', bytes: 2 },
  5: { name: 'int16', bytes: 2 }, 6: { name: 'int32', bytes: 4 }, 7: { name: 'int64', bytes: 8 }, 9: { name: 'bool', bytes: 1 },
  10: { name: 'float16', bytes: 2 }, 11: { name: 'float64', bytes: 8 }, 12: { name: 'uint32', bytes: 4 }, 13: { name: 'uint64', bytes: 8 },
  14: { name: 'complex64', bytes: 8 }, 15: { name: 'complex128', bytes: 16 }, 16: { name: 'bfloat16', bytes: 2 },
  17: { name: 'float8e4m3fn', bytes: 1 }, 18: { name: 'float8e4m3fnuz', bytes: 1 }, 19: { name: 'float8e5m2', bytes: 1 },
  20: { name: 'float8e5m2fnuz', bytes: 1 }, 21: { name: 'uint4', bytes: 0.5 }, 22: { name: 'int4', bytes: 0.5 },
};

/** A graph input or output: name, shape (a number, a symbolic name such as `batch`, or null when unknown), dtype. */
export interface OnnxValueInfo {
  name: string;
  /** One entry per dimension: dim_value, dim_param, or null; `[]` for a scalar. Absent shape: `undefined` rank -> []. */
  shape: (number | string | null)[];
  /** numpy-style name (`float32`, `int64`), or the kind for non-tensors (`sequence`, `map`, `optional`). */
  dtype: string;
  /** False when the type carried no shape at all (rank unknown). */
  hasShape: boolean;
}

/** The message types, built on the first decode (protobufjs is required then, not at activation: src/core/vendor.ts). */
let types: { OperatorSetId: Type; ValueInfo: Type } | undefined;
function messageTypes(): { OperatorSetId: Type; ValueInfo: Type } {
  if (types) return types;
  const root = protobufLight().Root.fromJSON(DEFINITIONS);
  return types = { OperatorSetId: root.lookupType('onnx.OperatorSetIdProto'), ValueInfo: root.lookupType('onnx.ValueInfoProto') };
}
const DEFINITIONS = {
  nested: {
    onnx: {
      nested: {
        OperatorSetIdProto: { fields: { domain: { type: 'string', id: 1 }, version: { type: 'int64', id: 2 } } },
        ValueInfoProto: { fields: { name: { type: 'string', id: 1 }, type: { type: 'TypeProto', id: 2 }, docString: { type: 'string', id: 3 } } },
        TensorShapeProto: {
          fields: { dim: { rule: 'repeated', type: 'Dimension', id: 1 } },
          nested: { Dimension: { fields: { dimValue: { type: 'int64', id: 1 }, dimParam: { type: 'string', id: 2 }, denotation: { type: 'string', id: 3 } } } },
        },
        TypeProto: {
          fields: {
            tensorType: { type: 'Tensor', id: 1 }, sequenceType: { type: 'Sequence', id: 4 }, mapType: { type: 'Map', id: 5 },
            optionalType: { type: 'Optional', id: 9 }, sparseTensorType: { type: 'Tensor', id: 8 }, denotation: { type: 'string', id: 6 },
          },
          nested: {
            Tensor: { fields: { elemType: { type: 'int32', id: 1 }, shape: { type: 'TensorShapeProto', id: 2 } } },
            Sequence: { fields: { elemType: { type: 'TypeProto', id: 1 } } },
            Map: { fields: { keyType: { type: 'int32', id: 1 }, valueType: { type: 'TypeProto', id: 2 } } },
            Optional: { fields: { elemType: { type: 'TypeProto', id: 1 } } },
          },
        },
      },
    },
  },
};

interface DimMsg { dimValue?: unknown; dimParam?: string }
interface TypeMsg { tensorType?: { elemType?: number; shape?: { dim?: DimMsg[] } }; sparseTensorType?: TypeMsg['tensorType']; sequenceType?: unknown; mapType?: unknown; optionalType?: unknown }

function toNumber(v: unknown): number {
  if (typeof v === 'number') return v;
  if (v && typeof v === 'object' && 'toNumber' in v) return (v as { toNumber(): number }).toNumber();
  return Number(v);
}

function decode(type: Type, bytes: Uint8Array, what: string): Record<string, unknown> {
  try {
    return type.toObject(type.decode(bytes), { defaults: false }) as Record<string, unknown>;
  } catch (e) {
    throw new Error(`bad ${what}: ${(e as Error).message}`);
  }
}

/** Decodes an OperatorSetIdProto (`{ domain: '' | 'ai.onnx.ml' | ..., version }`). */
export function decodeOperatorSetId(bytes: Uint8Array): { domain: string; version: number } {
  const m = decode(messageTypes().OperatorSetId, bytes, 'OperatorSetIdProto');
  const domain = (m.domain as string | undefined) ?? '';
  return { domain: domain === 'ai.onnx' ? '' : domain, version: toNumber(m.version ?? 0) };
}

/** Decodes a ValueInfoProto into name, shape and dtype. */
export function decodeValueInfo(bytes: Uint8Array): OnnxValueInfo {
  const m = decode(messageTypes().ValueInfo, bytes, 'ValueInfoProto');
  const t = (m.type ?? {}) as TypeMsg;
  const tensor = t.tensorType ?? t.sparseTensorType;
  if (!tensor) {
    const kind = t.sequenceType ? 'sequence' : t.mapType ? 'map' : t.optionalType ? 'optional' : 'unknown';
    return { name: (m.name as string) ?? '', shape: [], dtype: kind, hasShape: false };
  }
  const dims = tensor.shape?.dim ?? [];
  return {
    name: (m.name as string) ?? '',
    shape: dims.map((d) => (d.dimParam ? d.dimParam : d.dimValue !== undefined ? toNumber(d.dimValue) : null)),
    dtype: ONNX_DTYPES[tensor.elemType ?? 0]?.name ?? `type${tensor.elemType ?? 0}`,
    hasShape: tensor.shape !== undefined,
  };
}
