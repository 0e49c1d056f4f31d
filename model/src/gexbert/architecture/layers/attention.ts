/**
 * Multi-head scaled dot-product attention (no causal mask: gene tokens are a set, not a sequence).
 * Self-attention projects q, k, v from one input with a fused (C, 3C) matrix; cross-attention projects
 * q from the queries and k, v from the encoder output with a fused (C, 2C) matrix.
 */
import { type Tensor, type Tensor1D, type Tensor2D, type Tensor3D, tf } from '../../../engine/tf.ts';
import { bmm, linear } from './ops.ts';

/** Large negative added to the scores of padding keys (same constant in the ONNX export). */
export const MASK_NEG = -1e9;

/** Additive key bias from a token mask (1 = real, 0 = padding). mask: (B, T) -> (B, 1, 1, T). */
export function keyBias(mask: Tensor2D): Tensor {
  const [B, T] = mask.shape;
  return tf.reshape(tf.mul(tf.sub(1, mask), MASK_NEG), [B, 1, 1, T]); // (B, 1, 1, T)
}

/**
 * The attention core. q: (B, Tq, C), k, v: (B, Tk, C), bias: (B, 1, 1, Tk) or none -> (B, Tq, C).
 */
export function attend(q: Tensor3D, k: Tensor3D, v: Tensor3D, heads: number, bias?: Tensor): Tensor3D {
  const [B, Tq, C] = q.shape;
  const Tk = k.shape[1];
  const hd = C / heads;
  const scale = 1 / Math.sqrt(hd);
  const qh = tf.reshape(tf.transpose(tf.reshape(tf.mul(q, scale), [B, Tq, heads, hd]), [0, 2, 1, 3]), [
    B * heads,
    Tq,
    hd,
  ]); // (B, Tq, C) -> (B, Tq, H, hd) -> (B, H, Tq, hd) -> (B*H, Tq, hd)
  const khT = tf.reshape(tf.transpose(tf.reshape(k, [B, Tk, heads, hd]), [0, 2, 3, 1]), [B * heads, hd, Tk]); // (B*H, hd, Tk)
  const vh = tf.reshape(tf.transpose(tf.reshape(v, [B, Tk, heads, hd]), [0, 2, 1, 3]), [B * heads, Tk, hd]); // (B*H, Tk, hd)
  let att = bmm(qh, khT); // (B*H, Tq, hd) @ (B*H, hd, Tk) -> (B*H, Tq, Tk)
  if (bias) att = tf.reshape(tf.add(tf.reshape(att, [B, heads, Tq, Tk]), bias), [B * heads, Tq, Tk]); // (B*H, Tq, Tk)
  att = tf.softmax(att); // (B*H, Tq, Tk), rows sum to 1
  const y = bmm(att, vh); // (B*H, Tq, Tk) @ (B*H, Tk, hd) -> (B*H, Tq, hd)
  return tf.reshape(tf.transpose(tf.reshape(y, [B, heads, Tq, hd]), [0, 2, 1, 3]), [B, Tq, C]) as Tensor3D; // (B, Tq, C)
}

export interface SelfAttentionParams {
  wqkv: Tensor2D; // (C, 3C)
  bqkv: Tensor1D; // (3C)
  wo: Tensor2D; // (C, C)
  bo: Tensor1D; // (C)
}

/** x: (B, T, C) -> (B, T, C). */
export function selfAttention(x: Tensor3D, p: SelfAttentionParams, heads: number, bias?: Tensor): Tensor3D {
  const [B, T, C] = x.shape;
  const qkv = linear(tf.reshape(x, [B * T, C]), p.wqkv, p.bqkv); // (B*T, 3C)
  const [q, k, v] = tf.split(qkv, 3, 1) as [Tensor2D, Tensor2D, Tensor2D]; // 3 x (B*T, C)
  const y = attend(tf.reshape(q, [B, T, C]), tf.reshape(k, [B, T, C]), tf.reshape(v, [B, T, C]), heads, bias); // (B, T, C)
  return tf.reshape(linear(tf.reshape(y, [B * T, C]), p.wo, p.bo), [B, T, C]); // (B, T, C)
}

export interface CrossAttentionParams {
  wq: Tensor2D; // (C, C)
  bq: Tensor1D; // (C)
  wkv: Tensor2D; // (C, 2C)
  bkv: Tensor1D; // (2C)
  wo: Tensor2D; // (C, C)
  bo: Tensor1D; // (C)
}

/** Queries x: (B, Q, C) attend to memory m: (B, T, C) -> (B, Q, C). */
export function crossAttention(
  x: Tensor3D,
  m: Tensor3D,
  p: CrossAttentionParams,
  heads: number,
  bias?: Tensor,
): Tensor3D {
  const [B, Q, C] = x.shape;
  const T = m.shape[1];
  const q = linear(tf.reshape(x, [B * Q, C]), p.wq, p.bq); // (B*Q, C)
  const kv = linear(tf.reshape(m, [B * T, C]), p.wkv, p.bkv); // (B*T, 2C)
  const [k, v] = tf.split(kv, 2, 1) as [Tensor2D, Tensor2D]; // 2 x (B*T, C)
  const y = attend(tf.reshape(q, [B, Q, C]), tf.reshape(k, [B, T, C]), tf.reshape(v, [B, T, C]), heads, bias); // (B, Q, C)
  return tf.reshape(linear(tf.reshape(y, [B * Q, C]), p.wo, p.bo), [B, Q, C]); // (B, Q, C)
}
