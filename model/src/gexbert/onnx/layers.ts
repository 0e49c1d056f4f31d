/**
 * The layers of GexBERT's ONNX graphs, each written once: its forward nodes and, next to them, its
 * backward (reverse mode over a tape of layer-level steps). `architecture.ts` composes them into the
 * model; the inference graph (export.ts) builds it without a tape, the training graph (train-graph.ts)
 * with one, so both run the same forward nodes.
 *
 * Every method takes and returns value names. Rows are flattened tokens: x is (N, C) with N = B*T (or
 * B*Q); only attention reshapes to heads (B, H, T, hd). The math is that of the tfjs layers
 * (`../layers/*`), checked against them in test/gexbert/onnx/onnx.test.ts (outputs) and training/train.test.ts
 * (loss and gradients).
 */
import { MASK_NEG } from '../architecture/layers/attention.ts';
import { LAYER_NORM_EPS } from '../architecture/layers/ops.ts';
import { attr, type Dim, GraphBuilder } from './graph.ts';

/** Reverse-mode bookkeeping: backward steps run in reverse order, gradients are summed per value. */
export class Tape {
  private readonly steps: (() => void)[] = [];
  private readonly grads = new Map<string, string[]>();

  constructor(
    private readonly g: GraphBuilder,
    readonly enabled: boolean,
  ) {}

  /** Record a backward step (kept only when the tape is enabled). */
  record(step: () => void): void {
    if (this.enabled) this.steps.push(step);
  }

  add(value: string, grad: string): void {
    const list = this.grads.get(value);
    if (list) list.push(grad);
    else this.grads.set(value, [grad]);
  }

  /** The summed gradient of a value, or undefined when nothing flows into it. */
  grad(value: string): string | undefined {
    const list = this.grads.get(value);
    if (!list || list.length === 0) return undefined;
    if (list.length > 1) {
      const sum = this.g.op('Sum', list);
      this.grads.set(value, [sum]);
      return sum;
    }
    return list[0];
  }

  run(): void {
    for (let i = this.steps.length - 1; i >= 0; i--) this.steps[i]!();
  }
}

/** Shape tensors of one attention stream: [B, T, H, hd], [B, T, C] (inference) and the fused kernel's key mask. */
export interface AttnShape {
  heads: string;
  rows?: string;
  keyMask?: string;
}

export interface LayerGraphOptions {
  /** Record the backward of every layer (training). */
  grads: boolean;
  /**
   * Fused projections (qkv, kv) are weights `<name>.q`, `<name>.k`, ... of (C, C) each, one Gemm per part
   * (inference: no Split). Without it the (C, pC) weight is one MatMul followed by a Split (training:
   * the gradient is of the fused weight).
   */
  splitProjections?: boolean;
  /** Dropout masks are graph inputs drop.<site> (the trainer's masks); without it dropout is the identity. */
  dropoutMasks?: boolean;
}

export class LayerGraph extends GraphBuilder {
  readonly tape: Tape;

  constructor(
    name: string,
    readonly width: number,
    readonly opts: LayerGraphOptions,
  ) {
    super(name);
    if (opts.grads && opts.splitProjections)
      throw new Error('LayerGraph: split projections have no backward');
    this.tape = new Tape(this, opts.grads);
  }

  private sumRows(x: string): string {
    return this.op('ReduceSum', [x, this.i64([0])], { keepdims: attr.i(0) });
  }

  /** y = x W + b; x (N, in), W (in, out), b (out). */
  linear(x: string, w: string, b: string): string {
    const y = this.op('Add', [this.op('MatMul', [x, w]), b]); // (N, out)
    this.tape.record(() => {
      const dy = this.tape.grad(y);
      if (!dy) return;
      this.tape.add(x, this.op('Gemm', [dy, w], { transB: attr.i(1) })); // (N, out) @ (out, in) -> (N, in)
      this.tape.add(w, this.op('Gemm', [x, dy], { transA: attr.i(1) })); // (in, N) @ (N, out) -> (in, out)
      this.tape.add(b, this.sumRows(dy)); // (out)
    });
    return y;
  }

  /** x (N, C) through a fused projection W (C, pC), b (pC) -> p values (N, C), one per part. */
  project(x: string, w: string, b: string, parts: string[]): string[] {
    if (this.opts.splitProjections) return parts.map((p) => this.linear(x, `${w}.${p}`, `${b}.${p}`));
    const y = this.linear(x, w, b); // (N, pC)
    const outs = this.node(
      'Split',
      [y, this.i64(parts.map(() => this.width))],
      { axis: attr.i(1) },
      parts.length,
    );
    this.tape.record(() => {
      const gs = outs.map((o) => this.tape.grad(o));
      if (gs.every((d) => !d)) return;
      const filled = gs.map((d) => d ?? this.op('Mul', [outs[0]!, this.f32(0)]));
      this.tape.add(y, this.op('Concat', filled, { axis: attr.i(1) })); // (N, pC)
    });
    return outs;
  }

  /** LayerNorm over the last axis of x (N, C), weights `<prefix>.g`, `<prefix>.b`. */
  layerNorm(x: string, prefix: string): string {
    const gamma = `${prefix}.g`;
    const beta = `${prefix}.b`;
    const [y, mean, rstd] = this.node(
      'LayerNormalization',
      [x, gamma, beta],
      { axis: attr.i(-1), epsilon: attr.f(LAYER_NORM_EPS) },
      this.tape.enabled ? 3 : 1,
    ) as [string, string, string]; // (N, C), (N, 1), (N, 1)
    this.tape.record(() => {
      const dy = this.tape.grad(y);
      if (!dy) return;
      const xhat = this.op('Mul', [this.op('Sub', [x, mean]), rstd]); // (N, C)
      this.tape.add(gamma, this.sumRows(this.op('Mul', [dy, xhat]))); // (C)
      this.tape.add(beta, this.sumRows(dy)); // (C)
      const dxhat = this.op('Mul', [dy, gamma]); // (N, C)
      const m1 = this.op('ReduceMean', [dxhat], { axes: attr.ints([-1]), keepdims: attr.i(1) }); // (N, 1)
      const m2 = this.op('ReduceMean', [this.op('Mul', [dxhat, xhat])], {
        axes: attr.ints([-1]),
        keepdims: attr.i(1),
      }); // (N, 1)
      const inner = this.op('Sub', [this.op('Sub', [dxhat, m1]), this.op('Mul', [xhat, m2])]); // (N, C)
      this.tape.add(x, this.op('Mul', [inner, rstd])); // (N, C)
    });
    return y;
  }

  /** ReLU, or exact GELU x Phi(x) written as the pattern onnxruntime fuses into one Gelu kernel. */
  activation(x: string, kind: 'gelu' | 'relu'): string {
    if (kind === 'relu') {
      const y = this.op('Relu', [x]);
      this.tape.record(() => {
        const dy = this.tape.grad(y);
        if (!dy) return;
        const on = this.op('Cast', [this.op('Greater', [x, this.f32(0)])], { to: attr.i(1) }); // float 0/1
        this.tape.add(x, this.op('Mul', [dy, on]));
      });
      return y;
    }
    const erf = this.op('Erf', [this.op('Div', [x, this.f32(Math.SQRT2)])]);
    const y = this.op('Mul', [this.op('Mul', [x, this.op('Add', [erf, this.f32(1)])]), this.f32(0.5)]); // (N, F)
    this.tape.record(() => {
      const dy = this.tape.grad(y);
      if (!dy) return;
      // d/dx [x * Phi(x)] = Phi(x) + x * phi(x)
      const cdf = this.op('Mul', [
        this.op('Add', [this.op('Erf', [this.op('Div', [x, this.f32(Math.SQRT2)])]), this.f32(1)]),
        this.f32(0.5),
      ]);
      const pdf = this.op('Mul', [
        this.op('Exp', [this.op('Mul', [this.op('Mul', [x, x]), this.f32(-0.5)])]),
        this.f32(1 / Math.sqrt(2 * Math.PI)),
      ]);
      this.tape.add(x, this.op('Mul', [dy, this.op('Add', [cdf, this.op('Mul', [x, pdf])])]));
    });
    return y;
  }

  /** x (rows, C) times the inverted-dropout mask input drop.<site>; x itself without dropout masks. */
  dropout(x: string, site: string, rows: Dim): string {
    if (!this.opts.dropoutMasks) return x;
    const mask = this.input(`drop.${site}`, 'float32', [rows, this.width]); // (rows, C), 0 or 1/(1-p)
    const y = this.op('Mul', [x, mask]);
    this.tape.record(() => {
      const dy = this.tape.grad(y);
      if (dy) this.tape.add(x, this.op('Mul', [dy, mask]));
    });
    return y;
  }

  add(a: string, b: string): string {
    const y = this.op('Add', [a, b]);
    this.tape.record(() => {
      const dy = this.tape.grad(y);
      if (!dy) return;
      this.tape.add(a, dy);
      this.tape.add(b, dy);
    });
    return y;
  }

  /** Rows `ids` (int32, any shape, flattened to N) of `table` (rows, C) -> (N, C). */
  gather(table: string, ids: string, rows: number): string {
    const flatIds = this.op('Reshape', [ids, this.i64([-1])]); // (N)
    const y = this.op('Gather', [table, flatIds]); // (N, C)
    this.tape.record(() => {
      const dy = this.tape.grad(y);
      if (!dy) return;
      const idx = this.op('Reshape', [this.op('Cast', [flatIds], { to: attr.i(7) }), this.i64([-1, 1])]); // (N, 1) int64
      const zeros = this.op('ConstantOfShape', [this.i64([rows, this.width])]); // (rows, C)
      this.tape.add(table, this.op('ScatterND', [zeros, idx, dy], { reduction: attr.s('add') })); // (rows, C)
    });
    return y;
  }

  /** The additive key bias from a token mask (B, T): (1 - mask) * -1e9 -> (B, 1, 1, T). No gradient. */
  keyBias(mask: string): string {
    return this.op('Unsqueeze', [
      this.op('Mul', [this.op('Sub', [this.f32(1), mask]), this.f32(MASK_NEG)]),
      this.i64([1, 2]),
    ]);
  }

  /**
   * Multi-head attention core (before the output projection): q (B*Tq, C), k, v (B*Tk, C) -> (B*Tq, C).
   * bias: (B, 1, 1, Tk) or none; `scale` 1/sqrt(hd) (undefined: already in the query weights). With a key
   * mask in kShape (inference only) it is onnxruntime's fused com.microsoft.MultiHeadAttention kernel.
   */
  attention(
    q: string,
    k: string,
    v: string,
    qShape: AttnShape,
    kShape: AttnShape,
    heads: number,
    bias: string | undefined,
    scale: number | undefined,
  ): string {
    const C = this.width;
    const qs = scale === undefined ? q : this.op('Mul', [q, this.f32(scale)]); // (B*Tq, C)
    if (kShape.keyMask) {
      if (this.tape.enabled || !qShape.rows || !kShape.rows)
        throw new Error('fused attention: inference only');
      const inputs = [
        this.op('Reshape', [qs, qShape.rows]), // (B, Tq, C)
        this.op('Reshape', [k, kShape.rows]), // (B, Tk, C)
        this.op('Reshape', [v, kShape.rows]), // (B, Tk, C)
        '', // no bias
        kShape.keyMask, // (B, Tk) int32
      ];
      const attrs = { num_heads: attr.i(heads), scale: attr.f(1), mask_filter_value: attr.f(MASK_NEG) };
      const y = this.node('MultiHeadAttention', inputs, attrs, 1, 'com.microsoft')[0]!; // (B, Tq, C)
      return this.op('Reshape', [y, this.i64([-1, C])]); // (B*Tq, C)
    }
    const split = (x: string, shape: string, perm: number[]) =>
      this.op('Transpose', [this.op('Reshape', [x, shape])], { perm: attr.ints(perm) });
    const qh = split(qs, qShape.heads, [0, 2, 1, 3]); // (B, H, Tq, hd)
    const kT = split(k, kShape.heads, [0, 2, 3, 1]); // (B, H, hd, Tk)
    const vh = split(v, kShape.heads, [0, 2, 1, 3]); // (B, H, Tk, hd)
    const raw = this.op('MatMul', [qh, kT]); // (B, H, Tq, Tk)
    const scores = bias ? this.op('Add', [raw, bias]) : raw; // (B, H, Tq, Tk)
    const p = this.op('Softmax', [scores], { axis: attr.i(-1) }); // (B, H, Tq, Tk)
    const merge = (xh: string) =>
      this.op('Reshape', [this.op('Transpose', [xh], { perm: attr.ints([0, 2, 1, 3]) }), this.i64([-1, C])]);
    const y = merge(this.op('MatMul', [p, vh])); // (B, H, Tq, hd) -> (B*Tq, C)
    this.tape.record(() => {
      const dy = this.tape.grad(y);
      if (!dy) return;
      const swap = (x: string) => this.op('Transpose', [x], { perm: attr.ints([0, 1, 3, 2]) });
      const dyh = split(dy, qShape.heads, [0, 2, 1, 3]); // (B, H, Tq, hd)
      const dp = this.op('MatMul', [dyh, swap(vh)]); // (B, H, Tq, Tk)
      const dvh = this.op('MatMul', [swap(p), dyh]); // (B, H, Tk, hd)
      const rowDot = this.op('ReduceSum', [this.op('Mul', [dp, p]), this.i64([-1])], { keepdims: attr.i(1) }); // (B, H, Tq, 1)
      const ds = this.op('Mul', [p, this.op('Sub', [dp, rowDot])]); // (B, H, Tq, Tk)
      const dqh = this.op('MatMul', [ds, swap(kT)]); // (B, H, Tq, hd)
      const dkh = this.op('MatMul', [swap(ds), qh]); // (B, H, Tk, hd)
      const dq = merge(dqh); // (B*Tq, C)
      this.tape.add(q, scale === undefined ? dq : this.op('Mul', [dq, this.f32(scale)])); // (B*Tq, C)
      this.tape.add(k, merge(dkh)); // (B*Tk, C)
      this.tape.add(v, merge(dvh)); // (B*Tk, C)
    });
    return y;
  }

  /** Position-wise feed-forward, weights `<p>.ffn.{w1,b1,w2,b2}`: x (N, C) -> (N, C). */
  ffn(x: string, p: string, kind: 'gelu' | 'relu'): string {
    const h = this.activation(this.linear(x, `${p}.ffn.w1`, `${p}.ffn.b1`), kind); // (N, F)
    return this.linear(h, `${p}.ffn.w2`, `${p}.ffn.b2`); // (N, C)
  }
}
