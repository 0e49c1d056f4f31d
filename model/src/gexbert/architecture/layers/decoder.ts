/**
 * A pre-LN decoder block: queries cross-attend to the encoder output, then a feed-forward block.
 * There is no self-attention between queries, so a gene's restored value does not depend on which
 * other genes are queried with it.
 */
import { type Tensor1D, type Tensor3D, tf } from '../../../engine/tf.ts';
import { type CrossAttentionParams, crossAttention } from './attention.ts';
import { type BlockOptions, type FfnParams, ffn } from './encoder.ts';
import { dropout, layerNorm } from './ops.ts';

export interface DecoderBlockParams {
  ln1g: Tensor1D;
  ln1b: Tensor1D;
  attn: CrossAttentionParams;
  ln2g: Tensor1D;
  ln2b: Tensor1D;
  ffn: FfnParams;
}

/** q: (B, Q, C) queries, m: (B, T, C) encoder output -> (B, Q, C). */
export function decoderBlock(q: Tensor3D, m: Tensor3D, p: DecoderBlockParams, o: BlockOptions): Tensor3D {
  const a = crossAttention(layerNorm(q, p.ln1g, p.ln1b) as Tensor3D, m, p.attn, o.heads, o.bias); // (B, Q, C)
  const q1 = tf.add(q, dropout(a, o.dropAttn)) as Tensor3D; // (B, Q, C)
  const f = ffn(layerNorm(q1, p.ln2g, p.ln2b) as Tensor3D, p.ffn, o.activation); // (B, Q, C)
  return tf.add(q1, dropout(f, o.dropFfn)) as Tensor3D; // (B, Q, C)
}
