/**
 * Writes a trained GexBERT as an ONNX model (opset 17) that onnxruntime runs without TensorFlow.js.
 *
 * Inputs (B = batch, T = tokens, Q = queries; all dynamic):
 *   gene_ids   int32 (B, T)   vocabulary index of each input gene
 *   level_ids  int32 (B, T)   value level; `levels` = missing/masked
 *   token_mask float (B, T)   1 = real token, 0 = padding
 *   query_ids  int32 (B, Q)   genes to restore (part 'full' only)
 * Outputs:
 *   embedding    float (B, C)     mean-pooled encoder output over real tokens
 *   token_values float (B, T)     restored z of each input token
 *   query_values float (B, Q)     restored z of each query gene (part 'full' only)
 *   hidden       float (B, T, C)  encoder output (when `hidden: true`)
 * The math is the same as model.ts (pre-LN blocks, LayerNormalization eps 1e-5, exact-erf GELU, the
 * same additive -1e9 key bias for padding).
 */
import type { GexbertConfig } from '../config.ts';
import { MASK_NEG } from '../layers/attention.ts';
import { LAYER_NORM_EPS } from '../layers/ops.ts';
import { parameterSpecs, type WeightEntry } from '../model.ts';
import { attr, GraphBuilder } from './graph.ts';

export interface OnnxExportOptions {
  /** `encoder`: embedding and token values only; `full` (default): also the decoder. */
  part?: 'encoder' | 'full';
  /**
   * Use onnxruntime's fused com.microsoft.MultiHeadAttention kernel instead of standard ops
   * (faster on onnxruntime, not portable to other ONNX runtimes). Default false.
   */
  fusedAttention?: boolean;
  /**
   * Take a token_mask input (default true). Without it every token is real: no padding bias, a plain
   * mean for the embedding, and a little less work (for batches whose profiles have equal gene counts).
   */
  padding?: boolean;
  /** Also output the encoder states (B, T, C). */
  hidden?: boolean;
}

/**
 * Builds the GexBERT inference graph into `g` and returns the names of its outputs.
 * The residual streams are kept 2-D, (B*T, C) and (B*Q, C), so that onnxruntime fuses each
 * MatMul + bias Add into one Gemm; only attention reshapes to (B, H, T, hd).
 * With `scaleFolded`, the 1/sqrt(hd) attention scale is already in the query weights.
 */
export function buildInferenceGraph(
  g: GexbertGraph,
  config: GexbertConfig,
  inputs: { geneIds: string; levelIds: string; tokenMask?: string; queryIds?: string },
  opts: { scaleFolded?: boolean; fusedAttention?: boolean } = {},
): { hidden: string; embedding: string; tokenValues: string; queryValues?: string } {
  const c = config;
  const C = c.width;
  const hd = C / c.heads;
  const scale = opts.scaleFolded ? undefined : 1 / Math.sqrt(hd);
  const shapeBT = g.op('Shape', [inputs.geneIds]); // [B, T]
  const headsT: AttnShape = {
    heads: g.op('Concat', [shapeBT, g.i64([c.heads, hd])], { axis: attr.i(0) }), // [B, T, H, hd]
    rows: g.op('Concat', [shapeBT, g.i64([C])], { axis: attr.i(0) }), // [B, T, C]
  };
  const mask = inputs.tokenMask;
  if (opts.fusedAttention) {
    headsT.keyMask = g.op('Cast', [mask ?? g.op('ConstantOfShape', [shapeBT], { value: attr.t1f(1) })], {
      to: attr.i(6),
    }); // (B, T) int32
  }
  const emb = g.op('Add', [
    g.op('Gather', ['emb.gene', inputs.geneIds]),
    g.op('Gather', ['emb.level', inputs.levelIds]),
  ]); // (B, T, C)
  let x = g.op('Reshape', [emb, g.i64([-1, C])]); // (B*T, C)
  const bias = mask
    ? g.op('Unsqueeze', [g.op('Mul', [g.op('Sub', [g.f32(1), mask]), g.f32(MASK_NEG)]), g.i64([1, 2])]) // (B, 1, 1, T)
    : undefined;
  for (let i = 0; i < c.encoderLayers; i++) {
    const p = `enc.${i}`;
    const h = g.layerNorm(x, `${p}.ln1`); // (B*T, C)
    // The fused (C, 3C) projection is exported as three (C, C) ones: three Gemms, no Split.
    const q = g.linear(h, `${p}.attn.wqkv.q`, `${p}.attn.bqkv.q`); // (B*T, C)
    const k = g.linear(h, `${p}.attn.wqkv.k`, `${p}.attn.bqkv.k`); // (B*T, C)
    const v = g.linear(h, `${p}.attn.wqkv.v`, `${p}.attn.bqkv.v`); // (B*T, C)
    const a = g.attention(q, k, v, headsT, headsT, c, bias, scale); // (B*T, C)
    x = g.op('Add', [x, g.linear(a, `${p}.attn.wo`, `${p}.attn.bo`)]); // (B*T, C)
    x = g.op('Add', [x, g.ffn(g.layerNorm(x, `${p}.ln2`), p, c)]); // (B*T, C)
  }
  const hidden2 = g.layerNorm(x, 'enc.lnf'); // (B*T, C)
  const hidden = g.op('Reshape', [hidden2, headsT.rows]); // (B, T, C)
  const tokenValues = g.op('Reshape', [g.linear(hidden2, 'head.tok.w', 'head.tok.b'), shapeBT]); // (B*T, 1) -> (B, T)
  let embedding: string;
  if (mask) {
    const m = g.op('Unsqueeze', [mask, g.i64([2])]); // (B, T, 1)
    const summed = g.op('ReduceSum', [g.op('Mul', [hidden, m]), g.i64([1])], { keepdims: attr.i(0) }); // (B, C)
    const count = g.op('Max', [g.op('ReduceSum', [m, g.i64([1])], { keepdims: attr.i(0) }), g.f32(1)]); // (B, 1)
    embedding = g.op('Div', [summed, count]); // (B, C)
  } else {
    embedding = g.op('ReduceMean', [hidden], { axes: attr.ints([1]), keepdims: attr.i(0) }); // (B, C)
  }
  if (!inputs.queryIds) return { hidden, embedding, tokenValues };

  const shapeBQ = g.op('Shape', [inputs.queryIds]); // [B, Q]
  const headsQ: AttnShape = {
    heads: g.op('Concat', [shapeBQ, g.i64([c.heads, hd])], { axis: attr.i(0) }), // [B, Q, H, hd]
    rows: g.op('Concat', [shapeBQ, g.i64([C])], { axis: attr.i(0) }), // [B, Q, C]
  };
  let q = g.op('Reshape', [g.op('Gather', ['emb.gene', inputs.queryIds]), g.i64([-1, C])]); // (B*Q, C)
  for (let i = 0; i < c.decoderLayers; i++) {
    const p = `dec.${i}`;
    const hq = g.linear(g.layerNorm(q, `${p}.ln1`), `${p}.attn.wq`, `${p}.attn.bq`); // (B*Q, C)
    const k = g.linear(hidden2, `${p}.attn.wkv.k`, `${p}.attn.bkv.k`); // (B*T, C)
    const v = g.linear(hidden2, `${p}.attn.wkv.v`, `${p}.attn.bkv.v`); // (B*T, C)
    const a = g.attention(hq, k, v, headsQ, headsT, c, bias, scale); // (B*Q, C)
    q = g.op('Add', [q, g.linear(a, `${p}.attn.wo`, `${p}.attn.bo`)]); // (B*Q, C)
    q = g.op('Add', [q, g.ffn(g.layerNorm(q, `${p}.ln2`), p, c)]); // (B*Q, C)
  }
  const out = g.layerNorm(q, 'dec.lnf'); // (B*Q, C)
  const queryValues = g.op('Reshape', [g.linear(out, 'head.query.w', 'head.query.b'), shapeBQ]); // (B*Q, 1) -> (B, Q)
  return { hidden, embedding, tokenValues, queryValues };
}

/** Shape tensors of one attention stream: [B, T, H, hd] and [B, T, C]; the int32 key mask when fused. */
export interface AttnShape {
  heads: string;
  rows: string;
  keyMask?: string;
}

/** GraphBuilder plus the transformer pieces. Weight names are the parameter names of model.ts. */
export class GexbertGraph extends GraphBuilder {
  layerNorm(x: string, prefix: string): string {
    return this.op('LayerNormalization', [x, `${prefix}.g`, `${prefix}.b`], {
      axis: attr.i(-1),
      epsilon: attr.f(LAYER_NORM_EPS),
    });
  }

  linear(x: string, w: string, b: string): string {
    return this.op('Add', [this.op('MatMul', [x, w]), b]);
  }

  /** Exact GELU written as the pattern onnxruntime fuses into one Gelu kernel. */
  activation(x: string, kind: 'gelu' | 'relu'): string {
    if (kind === 'relu') return this.op('Relu', [x]);
    const erf = this.op('Erf', [this.op('Div', [x, this.f32(Math.SQRT2)])]);
    return this.op('Mul', [this.op('Mul', [x, this.op('Add', [erf, this.f32(1)])]), this.f32(0.5)]);
  }

  ffn(x: string, p: string, c: GexbertConfig): string {
    const h = this.activation(this.linear(x, `${p}.ffn.w1`, `${p}.ffn.b1`), c.activation); // (N, F)
    return this.linear(h, `${p}.ffn.w2`, `${p}.ffn.b2`); // (N, C)
  }

  /**
   * q: (B*Tq, C), k, v: (B*Tk, C) -> (B*Tq, C) (before the output projection).
   * qShape / kShape hold the [B, T, H, hd] and [B, T, C] shape tensors (and, for the fused kernel,
   * the int32 key mask); bias: (B, 1, 1, Tk).
   */
  attention(
    q: string,
    k: string,
    v: string,
    qShape: AttnShape,
    kShape: AttnShape,
    c: GexbertConfig,
    bias: string | undefined,
    scale?: number,
  ): string {
    const qs = scale === undefined ? q : this.op('Mul', [q, this.f32(scale)]); // (B*Tq, C)
    if (kShape.keyMask) {
      const inputs = [
        this.op('Reshape', [qs, qShape.rows]), // (B, Tq, C)
        this.op('Reshape', [k, kShape.rows]), // (B, Tk, C)
        this.op('Reshape', [v, kShape.rows]), // (B, Tk, C)
        '', // no bias
        kShape.keyMask, // (B, Tk) int32
      ];
      const attrs = { num_heads: attr.i(c.heads), scale: attr.f(1), mask_filter_value: attr.f(MASK_NEG) };
      const y = this.node('MultiHeadAttention', inputs, attrs, 1, 'com.microsoft')[0]!; // (B, Tq, C)
      return this.op('Reshape', [y, this.i64([-1, c.width])]); // (B*Tq, C)
    }
    const qh = this.op('Transpose', [this.op('Reshape', [qs, qShape.heads])], {
      perm: attr.ints([0, 2, 1, 3]),
    }); // (B, H, Tq, hd)
    const kT = this.op('Transpose', [this.op('Reshape', [k, kShape.heads])], {
      perm: attr.ints([0, 2, 3, 1]),
    }); // (B, H, hd, Tk)
    const vh = this.op('Transpose', [this.op('Reshape', [v, kShape.heads])], {
      perm: attr.ints([0, 2, 1, 3]),
    }); // (B, H, Tk, hd)
    const raw = this.op('MatMul', [qh, kT]); // (B, H, Tq, Tk)
    const scores = bias ? this.op('Add', [raw, bias]) : raw; // (B, H, Tq, Tk)
    const att = this.op('Softmax', [scores], { axis: attr.i(-1) }); // (B, H, Tq, Tk)
    const y = this.op('Transpose', [this.op('MatMul', [att, vh])], { perm: attr.ints([0, 2, 1, 3]) }); // (B, Tq, H, hd)
    return this.op('Reshape', [y, this.i64([-1, c.width])]); // (B*Tq, C)
  }
}

/** Columns [start, start + n) of a row-major (rows, cols) matrix. */
function columns(data: Float32Array, rows: number, cols: number, start: number, n: number): Float32Array {
  const out = new Float32Array(rows * n);
  for (let r = 0; r < rows; r++) out.set(data.subarray(r * cols + start, r * cols + start + n), r * n);
  return out;
}

/** Copies of the query weights with the attention scale 1/sqrt(hd) multiplied in. */
function foldAttentionScale(config: GexbertConfig, name: string, data: Float32Array): Float32Array {
  const C = config.width;
  const scale = 1 / Math.sqrt(C / config.heads);
  if (/^enc\.\d+\.attn\.wqkv$/.test(name)) {
    const out = data.slice();
    for (let r = 0; r < C; r++) for (let j = 0; j < C; j++) out[r * 3 * C + j]! *= scale;
    return out;
  }
  if (/^enc\.\d+\.attn\.bqkv$/.test(name)) {
    const out = data.slice();
    for (let j = 0; j < C; j++) out[j]! *= scale;
    return out;
  }
  if (/^dec\.\d+\.attn\.(wq|bq)$/.test(name)) return data.map((x) => x * scale);
  return data;
}

/** The ONNX model bytes for a config and its weights. */
export function exportOnnx(
  config: GexbertConfig,
  weights: WeightEntry[],
  opts: OnnxExportOptions = {},
): Uint8Array {
  const part = opts.part ?? 'full';
  const g = new GexbertGraph(`gexbert_${part}`);
  const byName = new Map(weights.map((w) => [w.name, w]));
  for (const s of parameterSpecs(config)) {
    if (part === 'encoder' && (s.name.startsWith('dec.') || s.name.startsWith('head.query'))) continue;
    const w = byName.get(s.name);
    if (!w) throw new Error(`exportOnnx: missing weight ${s.name}`);
    const data = foldAttentionScale(config, s.name, w.data);
    const fused = /^(enc\.\d+\.attn\.[wb]qkv|dec\.\d+\.attn\.[wb]kv)$/.exec(s.name);
    if (fused) {
      const parts = s.name.includes('qkv') ? ['q', 'k', 'v'] : ['k', 'v'];
      parts.forEach((part, j) => {
        const C = config.width;
        const cols = columns(data, s.shape.length === 2 ? s.shape[0]! : 1, parts.length * C, j * C, C);
        g.initializer(`${s.name}.${part}`, cols, s.shape.length === 2 ? [s.shape[0]!, C] : [C]);
      });
    } else {
      g.initializer(s.name, data, s.shape);
    }
  }
  const geneIds = g.input('gene_ids', 'int32', ['batch', 'tokens']);
  const levelIds = g.input('level_ids', 'int32', ['batch', 'tokens']);
  const tokenMask =
    opts.padding === false ? undefined : g.input('token_mask', 'float32', ['batch', 'tokens']);
  const queryIds = part === 'full' ? g.input('query_ids', 'int32', ['batch', 'queries']) : undefined;
  const out = buildInferenceGraph(
    g,
    config,
    { geneIds, levelIds, tokenMask, queryIds },
    { scaleFolded: true, fusedAttention: opts.fusedAttention },
  );
  const C = config.width;
  g.op('Identity', [out.embedding], {}, 'embedding');
  g.output('embedding', 'float32', ['batch', C]);
  g.op('Identity', [out.tokenValues], {}, 'token_values');
  g.output('token_values', 'float32', ['batch', 'tokens']);
  if (out.queryValues) {
    g.op('Identity', [out.queryValues], {}, 'query_values');
    g.output('query_values', 'float32', ['batch', 'queries']);
  }
  if (opts.hidden) {
    g.op('Identity', [out.hidden], {}, 'hidden');
    g.output('hidden', 'float32', ['batch', 'tokens', C]);
  }
  return g.toModel({
    docString: 'GexBERT (transformer autoencoder for bulk RNA-seq), exported by the GexBERT Platform.',
    metadata: { config: JSON.stringify(config) },
  });
}
