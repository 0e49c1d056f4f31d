/**
 * An ONNX graph builder and the ModelProto encoder for the subset of ONNX this library writes
 * (float / int32 / int64 tensors, int / float / ints / floats / string attributes, one graph; nodes of
 * other domains, e.g. com.microsoft, import that domain at version 1).
 * Field numbers follow onnx/onnx.proto (IR version 8, opset 17).
 */
import { PbWriter } from './protobuf.ts';

export const OPSET = 17;
export const IR_VERSION = 8;

/** TensorProto.DataType values used here. */
export const DType = { FLOAT: 1, INT32: 6, INT64: 7 } as const;
export type DTypeName = 'float32' | 'int32' | 'int64';
const dtypeCode: Record<DTypeName, number> = { float32: DType.FLOAT, int32: DType.INT32, int64: DType.INT64 };

export type Attr =
  | { kind: 'int'; value: number }
  | { kind: 'float'; value: number }
  | { kind: 'ints'; value: number[] }
  | { kind: 'floats'; value: number[] }
  | { kind: 'string'; value: string }
  | { kind: 'tensor'; value: TensorDef };

export const attr = {
  i: (value: number): Attr => ({ kind: 'int', value }),
  f: (value: number): Attr => ({ kind: 'float', value }),
  ints: (value: number[]): Attr => ({ kind: 'ints', value }),
  floats: (value: number[]): Attr => ({ kind: 'floats', value }),
  s: (value: string): Attr => ({ kind: 'string', value }),
  /** A one-element float tensor attribute (e.g. ConstantOfShape's value). */
  t1f: (value: number): Attr => ({
    kind: 'tensor',
    value: { name: '', dims: [1], dtype: 'float32', data: Float32Array.of(value) },
  }),
};

export interface NodeDef {
  op: string;
  inputs: string[];
  outputs: string[];
  name: string;
  attrs: Record<string, Attr>;
  domain?: string;
}

export interface TensorDef {
  name: string;
  dims: number[];
  dtype: DTypeName;
  data: Float32Array | Int32Array | BigInt64Array;
}

/** A dimension: a fixed size, or a symbolic name (dynamic). */
export type Dim = number | string;

export interface ValueInfo {
  name: string;
  dtype: DTypeName;
  shape: Dim[];
}

export class GraphBuilder {
  readonly nodes: NodeDef[] = [];
  readonly initializers: TensorDef[] = [];
  readonly inputs: ValueInfo[] = [];
  readonly outputs: ValueInfo[] = [];
  private counter = 0;
  private readonly constCache = new Map<string, string>();
  private readonly names = new Set<string>();

  constructor(readonly name = 'graph') {}

  /** A fresh value name with a readable prefix. */
  fresh(prefix: string): string {
    let n: string;
    do {
      this.counter += 1;
      n = `${prefix}_${this.counter}`;
    } while (this.names.has(n));
    this.names.add(n);
    return n;
  }

  input(name: string, dtype: DTypeName, shape: Dim[]): string {
    this.names.add(name);
    this.inputs.push({ name, dtype, shape });
    return name;
  }

  output(name: string, dtype: DTypeName, shape: Dim[]): void {
    this.outputs.push({ name, dtype, shape });
  }

  initializer(name: string, data: Float32Array | Int32Array | BigInt64Array, dims: number[]): string {
    const dtype: DTypeName =
      data instanceof Float32Array ? 'float32' : data instanceof Int32Array ? 'int32' : 'int64';
    this.names.add(name);
    this.initializers.push({ name, dims, dtype, data });
    return name;
  }

  /** An int64 constant (1-D), shared between nodes. */
  i64(values: number[]): string {
    const key = `i64:${values.join(',')}`;
    let n = this.constCache.get(key);
    if (!n) {
      n = this.initializer(this.fresh('const_i64'), BigInt64Array.from(values.map((v) => BigInt(v))), [
        values.length,
      ]);
      this.constCache.set(key, n);
    }
    return n;
  }

  /** A float scalar constant, shared between nodes. */
  f32(value: number): string {
    const key = `f32:${value}`;
    let n = this.constCache.get(key);
    if (!n) {
      n = this.initializer(this.fresh('const_f32'), Float32Array.of(value), []);
      this.constCache.set(key, n);
    }
    return n;
  }

  /** Add a node; returns its output names (`outputs` fresh names unless given). */
  node(
    op: string,
    inputs: string[],
    attrs: Record<string, Attr> = {},
    outputs: number | string[] = 1,
    domain?: string,
  ): string[] {
    const outs =
      typeof outputs === 'number'
        ? Array.from({ length: outputs }, () => this.fresh(op.toLowerCase()))
        : outputs;
    for (const o of outs) this.names.add(o);
    const n: NodeDef = { op, inputs, outputs: outs, name: this.fresh(`n_${op}`), attrs };
    if (domain) n.domain = domain;
    this.nodes.push(n);
    return outs;
  }

  /** Single-output node. */
  op(op: string, inputs: string[], attrs: Record<string, Attr> = {}, output?: string): string {
    return this.node(op, inputs, attrs, output ? [output] : 1)[0]!;
  }

  /** Encode as an ONNX ModelProto. */
  toModel(
    opts: { producer?: string; version?: string; docString?: string; metadata?: Record<string, string> } = {},
  ): Uint8Array {
    const g = new PbWriter();
    for (const n of this.nodes) g.message(1, encodeNode(n));
    g.string(2, this.name);
    for (const t of this.initializers) g.message(5, encodeTensor(t));
    for (const v of this.inputs) g.message(11, encodeValueInfo(v));
    for (const v of this.outputs) g.message(12, encodeValueInfo(v));
    const m = new PbWriter();
    m.int(1, IR_VERSION);
    m.string(2, opts.producer ?? 'gexbert-platform');
    m.string(3, opts.version ?? '0.1.0');
    if (opts.docString) m.string(6, opts.docString);
    m.message(7, g.finish());
    m.message(8, new PbWriter().string(1, '').int(2, OPSET).finish());
    for (const d of new Set(this.nodes.map((n) => n.domain).filter((d): d is string => Boolean(d)))) {
      m.message(8, new PbWriter().string(1, d).int(2, 1).finish());
    }
    for (const [k, v] of Object.entries(opts.metadata ?? {})) {
      m.message(14, new PbWriter().string(1, k).string(2, v).finish());
    }
    return m.finish();
  }
}

function encodeNode(n: NodeDef): Uint8Array {
  const w = new PbWriter();
  for (const i of n.inputs) w.string(1, i);
  for (const o of n.outputs) w.string(2, o);
  w.string(3, n.name);
  w.string(4, n.op);
  for (const [name, a] of Object.entries(n.attrs)) w.message(5, encodeAttr(name, a));
  if (n.domain) w.string(7, n.domain);
  return w.finish();
}

// AttributeProto.AttributeType
const ATTR_FLOAT = 1;
const ATTR_INT = 2;
const ATTR_STRING = 3;
const ATTR_TENSOR = 4;
const ATTR_FLOATS = 6;
const ATTR_INTS = 7;

function encodeAttr(name: string, a: Attr): Uint8Array {
  const w = new PbWriter();
  w.string(1, name);
  switch (a.kind) {
    case 'float':
      w.float(2, a.value);
      w.int(20, ATTR_FLOAT);
      break;
    case 'int':
      w.int(3, a.value);
      w.int(20, ATTR_INT);
      break;
    case 'string':
      w.string(4, a.value);
      w.int(20, ATTR_STRING);
      break;
    case 'floats':
      w.packedFloats(7, a.value);
      w.int(20, ATTR_FLOATS);
      break;
    case 'ints':
      w.packedInts(8, a.value);
      w.int(20, ATTR_INTS);
      break;
    case 'tensor':
      w.message(5, encodeTensor(a.value));
      w.int(20, ATTR_TENSOR);
      break;
  }
  return w.finish();
}

function encodeTensor(t: TensorDef): Uint8Array {
  const w = new PbWriter();
  if (t.dims.length > 0) w.packedInts(1, t.dims);
  w.int(2, dtypeCode[t.dtype]);
  w.string(8, t.name);
  const bytes = new Uint8Array(t.data.byteLength);
  const dv = new DataView(bytes.buffer);
  const d = t.data;
  if (d instanceof Float32Array) for (let i = 0; i < d.length; i++) dv.setFloat32(i * 4, d[i]!, true);
  else if (d instanceof Int32Array) for (let i = 0; i < d.length; i++) dv.setInt32(i * 4, d[i]!, true);
  else for (let i = 0; i < d.length; i++) dv.setBigInt64(i * 8, d[i]!, true);
  w.bytes(9, bytes);
  return w.finish();
}

function encodeValueInfo(v: ValueInfo): Uint8Array {
  const shape = new PbWriter();
  for (const d of v.shape) {
    const dim = new PbWriter();
    if (typeof d === 'number') dim.int(1, d);
    else dim.string(2, d);
    shape.message(1, dim.finish());
  }
  const tensorType = new PbWriter().int(1, dtypeCode[v.dtype]).message(2, shape.finish()).finish();
  const type = new PbWriter().message(1, tensorType).finish();
  return new PbWriter().string(1, v.name).message(2, type).finish();
}
