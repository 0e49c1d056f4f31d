/**
 * Tensor building blocks with gradients that run fast on the wasm backend.
 *
 * Measured on this machine (tfjs-backend-wasm 4.22, SIMD): only a plain 2-D matMul without transposes
 * takes XNNPACK's fast path (~10 GFLOP/s); transposed or batched matMuls fall back to a naive loop
 * (~0.6-1 GFLOP/s), and tfjs's own matMul gradient uses transposed matMuls. So `linear` has a custom
 * gradient that transposes explicitly (cheap) and then only calls plain 2-D matMuls.
 * wasm has no UnsortedSegmentSum, so the embedding lookup's gradient is a scatterND (sums duplicates).
 */
import { type GradSaveFunc, type Tensor, type Tensor1D, type Tensor2D, tf } from '../../../engine/tf.ts';

type Grad = (dy: Tensor, saved: Tensor[]) => Tensor | Tensor[];
type CustomFn = (...args: never[]) => { value: Tensor; gradFunc: Grad };

/** tf.customGrad with the argument types of `f` (tfjs's own typing erases them). */
function custom<T extends Tensor>(f: CustomFn): (...inputs: Tensor[]) => T {
  return tf.customGrad(f as never) as unknown as (...inputs: Tensor[]) => T;
}

/** y = x W + b. x: (N, Cin), W: (Cin, Cout), b: (Cout) -> (N, Cout). */
export function linear(x: Tensor2D, w: Tensor2D, b?: Tensor1D): Tensor2D {
  if (!b) {
    const f = custom<Tensor2D>((xx: Tensor2D, ww: Tensor2D, save: GradSaveFunc) => {
      save([xx, ww]);
      return {
        value: tf.matMul(xx, ww), // (N, Cout)
        gradFunc: (dy, saved) => {
          const [sx, sw] = saved as [Tensor2D, Tensor2D];
          const g = dy as Tensor2D; // (N, Cout)
          return [
            tf.matMul(g, tf.transpose(sw)), // (N, Cout) @ (Cout, Cin) -> (N, Cin)
            tf.matMul(tf.transpose(sx), g), // (Cin, N) @ (N, Cout) -> (Cin, Cout)
          ];
        },
      };
    });
    return f(x, w);
  }
  const f = custom<Tensor2D>((xx: Tensor2D, ww: Tensor2D, bb: Tensor1D, save: GradSaveFunc) => {
    save([xx, ww]);
    return {
      value: tf.fused.matMul({ a: xx, b: ww, bias: bb }), // (N, Cout)
      gradFunc: (dy, saved) => {
        const [sx, sw] = saved as [Tensor2D, Tensor2D];
        const g = dy as Tensor2D; // (N, Cout)
        return [
          tf.matMul(g, tf.transpose(sw)), // (N, Cin)
          tf.matMul(tf.transpose(sx), g), // (Cin, Cout)
          tf.sum(g, 0), // (Cout)
        ];
      },
    };
  });
  return f(x, w, b);
}

/**
 * Batched matMul a @ b (no transposes), with a gradient that transposes explicitly, so that every
 * call is the plain (non-transposed) form. a: (N, M, K), b: (N, K, P) -> (N, M, P).
 */
export function bmm(a: Tensor, b: Tensor): Tensor {
  const f = custom<Tensor>((aa: Tensor, bb: Tensor, save: GradSaveFunc) => {
    save([aa, bb]);
    return {
      value: tf.matMul(aa, bb), // (N, M, P)
      gradFunc: (dy, saved) => {
        const [sa, sb] = saved as [Tensor, Tensor];
        return [
          tf.matMul(dy, tf.transpose(sb, [0, 2, 1])), // (N, M, P) @ (N, P, K) -> (N, M, K)
          tf.matMul(tf.transpose(sa, [0, 2, 1]), dy), // (N, K, M) @ (N, M, P) -> (N, K, P)
        ];
      },
    };
  });
  return f(a, b);
}

/** Rows `ids` of `table`. table: (V, C), ids: (N) int32 -> (N, C). Gradient: scatter-add into (V, C). */
export function embeddingLookup(table: Tensor2D, ids: Tensor1D): Tensor2D {
  const f = custom<Tensor2D>((t: Tensor2D) => ({
    value: tf.gather(t, ids), // (N, C)
    gradFunc: (dy) => tf.scatterND(tf.reshape(ids, [-1, 1]), dy, t.shape), // (V, C), duplicates summed
  }));
  return f(table);
}

export const LAYER_NORM_EPS = 1e-5;

/** LayerNorm over the last axis. x: (..., C), g, b: (C) -> (..., C). Matches ONNX LayerNormalization. */
export function layerNorm(x: Tensor, g: Tensor1D, b: Tensor1D): Tensor {
  const mean = tf.mean(x, -1, true); // (..., 1)
  const xc = tf.sub(x, mean); // (..., C)
  const variance = tf.mean(tf.square(xc), -1, true); // (..., 1)
  const xhat = tf.mul(xc, tf.rsqrt(tf.add(variance, LAYER_NORM_EPS))); // (..., C)
  return tf.add(tf.mul(xhat, g), b); // (..., C)
}

/** Exact GELU 0.5 x (1 + erf(x / sqrt 2)), or ReLU. Elementwise. */
export function activate(x: Tensor, kind: 'gelu' | 'relu'): Tensor {
  if (kind === 'relu') return tf.relu(x);
  const cdf = tf.mul(0.5, tf.add(1, tf.erf(tf.mul(x, Math.SQRT1_2)))); // (...)
  return tf.mul(x, cdf); // (...)
}

/** Multiply by a precomputed dropout mask (0 or 1/(1-p)) when one is given. */
export function dropout(x: Tensor, mask: Tensor | undefined): Tensor {
  return mask ? tf.mul(x, mask) : x;
}
