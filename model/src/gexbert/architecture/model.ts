/**
 * GexBERT: a transformer autoencoder over gene tokens.
 *
 *   token(g, x) = geneEmb[g] + levelEmb[bin(x)]          (levelEmb[levels] = missing / masked)
 *   encoder     = pre-LN transformer blocks over the token set (no positional encoding), final LN
 *   tokenValues = linear head on each encoder output     (restores masked inputs)
 *   embedding   = mean of the encoder outputs over real tokens (padding excluded)
 *   decoder     = query geneEmb[q] cross-attends to the encoder output, FFN, final LN, linear head
 *                 (restores any vocabulary gene, measured or not)
 *
 * Weights are explicit tf.Variables, named as in `parameterSpecs`, so they can be saved and exported.
 * Shapes: B batch, T input tokens, Q query genes, C width, H heads, F ffn width, V vocabulary.
 */
import {
  type Tensor,
  type Tensor1D,
  type Tensor2D,
  type Tensor3D,
  tf,
  type Variable,
} from '../../engine/tf.ts';
import { Rng } from '../../random/rng.ts';
import { type GexbertConfig, missingLevel, validateConfig } from './config.ts';
import { keyBias } from './layers/attention.ts';
import { type DecoderBlockParams, decoderBlock } from './layers/decoder.ts';
import { type EncoderBlockParams, encoderBlock } from './layers/encoder.ts';
import { dropout, embeddingLookup, layerNorm, linear } from './layers/ops.ts';

export interface ParamSpec {
  name: string;
  shape: number[];
  init: 'normal' | 'zeros' | 'ones';
  std?: number;
  /** Whether AdamW's weight decay applies (matrices and embeddings). */
  decay: boolean;
}

const INIT_STD = 0.02;

/** Every weight of the model, in a fixed order (the order of the weights file and the ONNX export). */
export function parameterSpecs(c: GexbertConfig): ParamSpec[] {
  const C = c.width;
  const F = c.ffnWidth;
  const residualStd = INIT_STD / Math.sqrt(2 * (c.encoderLayers + c.decoderLayers));
  const specs: ParamSpec[] = [];
  const mat = (name: string, shape: number[], std = INIT_STD) =>
    specs.push({ name, shape, init: 'normal', std, decay: true });
  const vec = (name: string, n: number, init: 'zeros' | 'ones' = 'zeros') =>
    specs.push({ name, shape: [n], init, decay: false });
  const ln = (p: string) => {
    vec(`${p}.g`, C, 'ones');
    vec(`${p}.b`, C);
  };
  const ffnSpecs = (p: string) => {
    mat(`${p}.ffn.w1`, [C, F]);
    vec(`${p}.ffn.b1`, F);
    mat(`${p}.ffn.w2`, [F, C], residualStd);
    vec(`${p}.ffn.b2`, C);
  };
  mat('emb.gene', [c.vocabSize, C]);
  mat('emb.level', [c.levels + 1, C]);
  for (let i = 0; i < c.encoderLayers; i++) {
    const p = `enc.${i}`;
    ln(`${p}.ln1`);
    mat(`${p}.attn.wqkv`, [C, 3 * C]);
    vec(`${p}.attn.bqkv`, 3 * C);
    mat(`${p}.attn.wo`, [C, C], residualStd);
    vec(`${p}.attn.bo`, C);
    ln(`${p}.ln2`);
    ffnSpecs(p);
  }
  ln('enc.lnf');
  for (let i = 0; i < c.decoderLayers; i++) {
    const p = `dec.${i}`;
    ln(`${p}.ln1`);
    mat(`${p}.attn.wq`, [C, C]);
    vec(`${p}.attn.bq`, C);
    mat(`${p}.attn.wkv`, [C, 2 * C]);
    vec(`${p}.attn.bkv`, 2 * C);
    mat(`${p}.attn.wo`, [C, C], residualStd);
    vec(`${p}.attn.bo`, C);
    ln(`${p}.ln2`);
    ffnSpecs(p);
  }
  ln('dec.lnf');
  mat('head.tok.w', [C, 1]);
  vec('head.tok.b', 1);
  mat('head.query.w', [C, 1]);
  vec('head.query.b', 1);
  return specs;
}

/** A named weight as plain data. */
export interface WeightEntry {
  name: string;
  shape: number[];
  data: Float32Array;
}

/** Fresh weights drawn from the seed (independent of the tfjs backend). */
export function initialWeights(c: GexbertConfig, seed = c.seed): WeightEntry[] {
  const rng = Rng.derive(seed, 'init');
  return parameterSpecs(c).map((s) => {
    const n = s.shape.reduce((a, b) => a * b, 1);
    const data = new Float32Array(n);
    if (s.init === 'ones') data.fill(1);
    else if (s.init === 'normal') for (let i = 0; i < n; i++) data[i] = rng.normal() * (s.std ?? INIT_STD);
    if (s.name === 'emb.level' && c.levelInit === 'ordinal')
      addOrdinal(c, data, Rng.derive(seed, 'init', 'ordinal'));
    return { name: s.name, shape: s.shape, data };
  });
}

/** Size of the ordinal component of the level embeddings, relative to the random part. */
const ORDINAL_AMPLITUDE = 5;

/** Add (bin centre / zRange) * u to each value level (not the missing level); u random, |u| = 5 * 0.02 * sqrt(C). */
function addOrdinal(c: GexbertConfig, data: Float32Array, rng: Rng): void {
  const C = c.width;
  const u = Float64Array.from({ length: C }, () => rng.normal());
  let norm = 0;
  for (const x of u) norm += x * x;
  norm = Math.sqrt(norm);
  const scale = (ORDINAL_AMPLITUDE * INIT_STD * Math.sqrt(C)) / norm;
  for (let l = 0; l < c.levels; l++) {
    const centre = (-c.zRange + ((l + 0.5) * 2 * c.zRange) / c.levels) / c.zRange; // in [-1, 1]
    for (let j = 0; j < C; j++) data[l * C + j]! += centre * u[j]! * scale;
  }
}

/** Dropout sites with their shapes for a batch of B samples, T tokens and Q queries. */
export function dropoutSites(
  c: GexbertConfig,
  B: number,
  T: number,
  Q: number,
): { name: string; shape: number[] }[] {
  const C = c.width;
  const sites = [{ name: 'emb', shape: [B, T, C] }];
  for (let i = 0; i < c.encoderLayers; i++) {
    sites.push({ name: `enc.${i}.attn`, shape: [B, T, C] }, { name: `enc.${i}.ffn`, shape: [B, T, C] });
  }
  if (Q > 0) {
    sites.push({ name: 'qemb', shape: [B, Q, C] });
    for (let i = 0; i < c.decoderLayers; i++) {
      sites.push({ name: `dec.${i}.attn`, shape: [B, Q, C] }, { name: `dec.${i}.ffn`, shape: [B, Q, C] });
    }
  }
  return sites;
}

/** Inverted-dropout masks (values 0 or 1/(1-rate)) drawn from `rng`, one per site. */
export function makeDropoutMasks(
  sites: { name: string; shape: number[] }[],
  rate: number,
  rng: Rng,
): Map<string, Float32Array> {
  const out = new Map<string, Float32Array>();
  if (rate <= 0) return out;
  const keep = 1 / (1 - rate);
  // Each 32-bit draw decides two entries (16 bits each; the rate is rounded to 1/65536).
  const threshold = Math.round(rate * 65536);
  for (const s of sites) {
    const n = s.shape.reduce((a, b) => a * b, 1);
    const bits = new Uint32Array(Math.ceil(n / 2));
    rng.fillUint32(bits);
    const m = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      const w = bits[i >>> 1]!;
      m[i] = ((i & 1 ? w >>> 16 : w) & 0xffff) < threshold ? 0 : keep;
    }
    out.set(s.name, m);
  }
  return out;
}

export interface ModelInputs {
  /** (B, T) int32 vocabulary indices of the input genes. */
  geneIds: Tensor2D;
  /** (B, T) int32 value levels; `levels` (the missing level) for missing or masked values. */
  levelIds: Tensor2D;
  /** (B, T) float32, 1 = real token, 0 = padding. Omit when there is no padding. */
  tokenMask?: Tensor2D;
  /** (B, Q) int32 vocabulary indices of the genes to restore through the decoder. */
  queryIds?: Tensor2D;
}

export interface ModelOutputs {
  /** (B, T, C) encoder output after the final LayerNorm. */
  hidden: Tensor3D;
  /** (B, C) mean-pooled sample embedding. */
  embedding: Tensor2D;
  /** (B, T) restored (z-scored) value of each input token. */
  tokenValues: Tensor2D;
  /** (B, Q) restored (z-scored) value of each query gene. */
  queryValues?: Tensor2D;
}

export class GexbertModel {
  readonly config: GexbertConfig;
  /** All weights, in `parameterSpecs` order. */
  readonly params: Map<string, Variable>;

  private constructor(config: GexbertConfig, params: Map<string, Variable>) {
    this.config = config;
    this.params = params;
  }

  /** A model with fresh weights from `seed` (default: the config's seed). */
  static create(config: GexbertConfig, seed = config.seed): GexbertModel {
    return GexbertModel.fromWeights(config, initialWeights(config, seed));
  }

  /** A model holding the given weights (names and shapes must match the config). Call `await ready()` first. */
  static fromWeights(config: GexbertConfig, weights: WeightEntry[]): GexbertModel {
    const c = validateConfig(config);
    const byName = new Map(weights.map((w) => [w.name, w]));
    const params = new Map<string, Variable>();
    for (const s of parameterSpecs(c)) {
      const w = byName.get(s.name);
      if (!w) throw new Error(`weights: missing ${s.name}`);
      checkShape(s, w);
      params.set(
        s.name,
        tf.tidy(() => tf.variable(tf.tensor(w.data, s.shape, 'float32'), true, s.name + uniqueSuffix())),
      );
    }
    const extra = weights.filter((w) => !params.has(w.name)).map((w) => w.name);
    if (extra.length > 0) {
      for (const v of params.values()) v.dispose();
      throw new Error(`weights: unexpected ${extra.join(', ')}`);
    }
    return new GexbertModel(c, params);
  }

  /** Number of weights. */
  get size(): number {
    let n = 0;
    for (const v of this.params.values()) n += v.size;
    return n;
  }

  p<T extends Tensor = Tensor>(name: string): T {
    const v = this.params.get(name);
    if (!v) throw new Error(`no weight ${name}`);
    return v as unknown as T;
  }

  /** Copies of all weights as plain data, in spec order. */
  getWeights(): WeightEntry[] {
    return [...this.params.entries()].map(([name, v]) => ({
      name,
      shape: [...v.shape],
      data: (v.dataSync() as Float32Array).slice(),
    }));
  }

  /** Overwrite weights (by name; every given name must exist with the same shape). */
  setWeights(weights: WeightEntry[]): void {
    const specs = new Map(parameterSpecs(this.config).map((s) => [s.name, s]));
    for (const w of weights) {
      const s = specs.get(w.name);
      if (!s) throw new Error(`weights: unexpected ${w.name}`);
      checkShape(s, w);
      tf.tidy(() => this.p<Variable>(w.name).assign(tf.tensor(w.data, s.shape, 'float32')));
    }
  }

  dispose(): void {
    for (const v of this.params.values()) v.dispose();
    this.params.clear();
  }

  private encoderBlockParams(i: number): EncoderBlockParams {
    const p = `enc.${i}`;
    return {
      ln1g: this.p(`${p}.ln1.g`),
      ln1b: this.p(`${p}.ln1.b`),
      attn: {
        wqkv: this.p(`${p}.attn.wqkv`),
        bqkv: this.p(`${p}.attn.bqkv`),
        wo: this.p(`${p}.attn.wo`),
        bo: this.p(`${p}.attn.bo`),
      },
      ln2g: this.p(`${p}.ln2.g`),
      ln2b: this.p(`${p}.ln2.b`),
      ffn: this.ffnParams(p),
    };
  }

  private decoderBlockParams(i: number): DecoderBlockParams {
    const p = `dec.${i}`;
    return {
      ln1g: this.p(`${p}.ln1.g`),
      ln1b: this.p(`${p}.ln1.b`),
      attn: {
        wq: this.p(`${p}.attn.wq`),
        bq: this.p(`${p}.attn.bq`),
        wkv: this.p(`${p}.attn.wkv`),
        bkv: this.p(`${p}.attn.bkv`),
        wo: this.p(`${p}.attn.wo`),
        bo: this.p(`${p}.attn.bo`),
      },
      ln2g: this.p(`${p}.ln2.g`),
      ln2b: this.p(`${p}.ln2.b`),
      ffn: this.ffnParams(p),
    };
  }

  private ffnParams(p: string) {
    return {
      w1: this.p<Tensor2D>(`${p}.ffn.w1`),
      b1: this.p<Tensor1D>(`${p}.ffn.b1`),
      w2: this.p<Tensor2D>(`${p}.ffn.w2`),
      b2: this.p<Tensor1D>(`${p}.ffn.b2`),
    };
  }

  /** Encoder: tokens -> hidden states, per-token restored values and the pooled embedding. */
  encode(inputs: ModelInputs, drop?: Map<string, Tensor>): Omit<ModelOutputs, 'queryValues'> {
    const c = this.config;
    const { geneIds, levelIds, tokenMask } = inputs;
    const [B, T] = geneIds.shape;
    const C = c.width;
    const ge = embeddingLookup(this.p('emb.gene'), tf.reshape(geneIds, [B * T])); // (B*T, C)
    const le = embeddingLookup(this.p('emb.level'), tf.reshape(levelIds, [B * T])); // (B*T, C)
    let x = dropout(tf.reshape(tf.add(ge, le), [B, T, C]), drop?.get('emb')) as Tensor3D; // (B, T, C)
    const bias = tokenMask ? keyBias(tokenMask) : undefined; // (B, 1, 1, T)
    for (let i = 0; i < c.encoderLayers; i++) {
      x = encoderBlock(x, this.encoderBlockParams(i), {
        heads: c.heads,
        activation: c.activation,
        bias,
        dropAttn: drop?.get(`enc.${i}.attn`),
        dropFfn: drop?.get(`enc.${i}.ffn`),
      }); // (B, T, C)
    }
    const hidden = layerNorm(x, this.p<Tensor1D>('enc.lnf.g'), this.p<Tensor1D>('enc.lnf.b')) as Tensor3D; // (B, T, C)
    const flat = tf.reshape(hidden, [B * T, C]) as Tensor2D; // (B*T, C)
    const tokenValues = tf.reshape(linear(flat, this.p('head.tok.w'), this.p<Tensor1D>('head.tok.b')), [
      B,
      T,
    ]) as Tensor2D; // (B, T)
    let embedding: Tensor2D;
    if (tokenMask) {
      const m = tf.reshape(tokenMask, [B, T, 1]); // (B, T, 1)
      const summed = tf.sum(tf.mul(hidden, m), 1); // (B, C)
      embedding = tf.div(summed, tf.maximum(tf.sum(m, 1), 1)) as Tensor2D; // (B, C) / (B, 1)
    } else {
      embedding = tf.mean(hidden, 1) as Tensor2D; // (B, C)
    }
    return { hidden, embedding, tokenValues };
  }

  /** Decoder: query genes -> restored values. hidden: (B, T, C), queryIds: (B, Q) -> (B, Q). */
  decode(hidden: Tensor3D, queryIds: Tensor2D, tokenMask?: Tensor2D, drop?: Map<string, Tensor>): Tensor2D {
    const c = this.config;
    const [B, Q] = queryIds.shape;
    const C = c.width;
    let q = tf.reshape(embeddingLookup(this.p('emb.gene'), tf.reshape(queryIds, [B * Q])), [
      B,
      Q,
      C,
    ]) as Tensor3D; // (B, Q, C)
    q = dropout(q, drop?.get('qemb')) as Tensor3D; // (B, Q, C)
    const bias = tokenMask ? keyBias(tokenMask) : undefined; // (B, 1, 1, T)
    for (let i = 0; i < c.decoderLayers; i++) {
      q = decoderBlock(q, hidden, this.decoderBlockParams(i), {
        heads: c.heads,
        activation: c.activation,
        bias,
        dropAttn: drop?.get(`dec.${i}.attn`),
        dropFfn: drop?.get(`dec.${i}.ffn`),
      }); // (B, Q, C)
    }
    const out = layerNorm(q, this.p<Tensor1D>('dec.lnf.g'), this.p<Tensor1D>('dec.lnf.b')); // (B, Q, C)
    return tf.reshape(
      linear(tf.reshape(out, [B * Q, C]), this.p('head.query.w'), this.p<Tensor1D>('head.query.b')),
      [B, Q],
    ); // (B, Q)
  }

  /** Encoder, then the decoder when `queryIds` is given (and non-empty). */
  forward(inputs: ModelInputs, drop?: Map<string, Tensor>): ModelOutputs {
    const enc = this.encode(inputs, drop);
    const q = inputs.queryIds;
    if (!q || q.shape[1] === 0) return enc;
    return { ...enc, queryValues: this.decode(enc.hidden, q, inputs.tokenMask, drop) };
  }

  /** Index of the missing/masked level. */
  get missingLevel(): number {
    return missingLevel(this.config);
  }
}

function checkShape(s: ParamSpec, w: WeightEntry): void {
  const n = s.shape.reduce((a, b) => a * b, 1);
  if (w.shape.length !== s.shape.length || w.shape.some((d, i) => d !== s.shape[i]) || w.data.length !== n) {
    throw new Error(
      `weights: ${s.name} has shape [${w.shape}] (${w.data.length} values), expected [${s.shape}]`,
    );
  }
}

let counter = 0;
/** tfjs variable names must be unique per process; several models may coexist. */
function uniqueSuffix(): string {
  counter += 1;
  return `#${counter}`;
}
