/**
 * Checks on the inputs of the prediction heads: sample embeddings (all one width, finite) and their
 * per-sample labels or outcomes. Every problem is one RangeError naming the sample and the fix.
 */
import { type Matrix, zeros } from '../stats/matrix.ts';

/** Stacks embeddings into an n x width matrix, checking that they share one width and are finite. */
export function embeddingMatrix(embeddings: ArrayLike<number>[]): Matrix {
  const n = embeddings.length;
  if (n === 0) throw new RangeError('no embeddings: pass at least one sample embedding per training sample');
  const width = embeddings[0]!.length;
  if (width === 0) throw new RangeError('embedding 0 is empty: embeddings need at least one dimension');
  const m = zeros(n, width);
  embeddings.forEach((embedding, i) => {
    if (embedding.length !== width)
      throw new RangeError(
        `embedding ${i} has width ${embedding.length} but embedding 0 has ${width}: use embeddings of one model`,
      );
    for (let j = 0; j < width; j++) {
      const v = embedding[j]!;
      if (!Number.isFinite(v))
        throw new RangeError(
          `embedding ${i} has a non-finite value (${v}) at dimension ${j}: drop or re-embed it`,
        );
      m.data[i * width + j] = v;
    }
  });
  return m;
}

/** Checks one embedding against a head's width; returns it as Float64. */
export function checkEmbedding(embedding: ArrayLike<number>, width: number, head: string): Float64Array {
  if (embedding.length !== width)
    throw new RangeError(
      `the ${head} head was trained on embeddings of width ${width}, got ${embedding.length}: use the same model`,
    );
  const out = Float64Array.from(embedding);
  for (let j = 0; j < width; j++)
    if (!Number.isFinite(out[j]))
      throw new RangeError(`the embedding has a non-finite value (${out[j]}) at dimension ${j}`);
  return out;
}

/** Throws unless there is one entry per embedding. */
export function checkPerSample(name: string, values: ArrayLike<unknown>, n: number): void {
  if (values.length !== n)
    throw new RangeError(
      `${values.length} ${name} for ${n} embeddings: pass one per embedding, in the same order`,
    );
}

/** (x - mean) / sd, one vector (width). */
export function standardise(x: Float64Array, mean: ArrayLike<number>, sd: ArrayLike<number>): Float64Array {
  return x.map((v, j) => (v - mean[j]!) / sd[j]!);
}
