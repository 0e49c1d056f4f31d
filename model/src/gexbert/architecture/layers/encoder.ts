/** A pre-LN transformer encoder block: x + attn(LN(x)), then x + FFN(LN(x)). */
import { type Tensor, type Tensor1D, type Tensor2D, type Tensor3D, tf } from '../../../engine/tf.ts';
import { type SelfAttentionParams, selfAttention } from './attention.ts';
import { activate, dropout, layerNorm, linear } from './ops.ts';

export interface FfnParams {
  w1: Tensor2D; // (C, F)
  b1: Tensor1D; // (F)
  w2: Tensor2D; // (F, C)
  b2: Tensor1D; // (C)
}

/** Position-wise feed-forward. x: (B, T, C) -> (B, T, C). */
export function ffn(x: Tensor3D, p: FfnParams, kind: 'gelu' | 'relu'): Tensor3D {
  const [B, T, C] = x.shape;
  const h = activate(linear(tf.reshape(x, [B * T, C]), p.w1, p.b1), kind) as Tensor2D; // (B*T, F)
  return tf.reshape(linear(h, p.w2, p.b2), [B, T, C]); // (B*T, F) @ (F, C) -> (B, T, C)
}

export interface EncoderBlockParams {
  ln1g: Tensor1D;
  ln1b: Tensor1D;
  attn: SelfAttentionParams;
  ln2g: Tensor1D;
  ln2b: Tensor1D;
  ffn: FfnParams;
}

export interface BlockOptions {
  heads: number;
  activation: 'gelu' | 'relu';
  /** Additive key bias (B, 1, 1, T) for padding, if any. */
  bias?: Tensor;
  /** Dropout masks for the two residual branches, (B, T, C) each, training only. */
  dropAttn?: Tensor;
  dropFfn?: Tensor;
}

/** x: (B, T, C) -> (B, T, C). */
export function encoderBlock(x: Tensor3D, p: EncoderBlockParams, o: BlockOptions): Tensor3D {
  const a = selfAttention(layerNorm(x, p.ln1g, p.ln1b) as Tensor3D, p.attn, o.heads, o.bias); // (B, T, C)
  const x1 = tf.add(x, dropout(a, o.dropAttn)) as Tensor3D; // (B, T, C)
  const f = ffn(layerNorm(x1, p.ln2g, p.ln2b) as Tensor3D, p.ffn, o.activation); // (B, T, C)
  return tf.add(x1, dropout(f, o.dropFfn)) as Tensor3D; // (B, T, C)
}
