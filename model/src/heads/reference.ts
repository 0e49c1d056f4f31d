/**
 * The labelled reference of a model's heads: the real samples they are fitted on, each with its cancer type
 * and overall survival, and its per-gene z values over the model's vocabulary. Heads for a gene panel are
 * fitted on the reference seen through the same panel (serve.ts), so the reference travels with the heads.
 */
import type { Profile } from '../gexbert/inference/infer.ts';
import type { NormStats } from '../gexbert/inference/normalise.ts';

export interface HeadReference {
  /** Sample barcodes (n). */
  samples: string[];
  /** Cancer type per sample (null = unknown). */
  cancerTypes: (string | null)[];
  /** Overall survival per sample: days and event (1 = death), null when unknown. */
  osDays: (number | null)[];
  osEvent: (0 | 1 | null)[];
  /** Vocabulary size V. */
  genes: number;
  /** n x V per-gene z values (the model's normalisation), row-major; NaN = not measured. */
  z: Float32Array;
}

/** The stored form: z as base64 of little-endian float32. */
export interface StoredReference extends Omit<HeadReference, 'z'> {
  z: string;
}

export function storeReference(ref: HeadReference): StoredReference {
  const bytes = Buffer.from(ref.z.buffer, ref.z.byteOffset, ref.z.byteLength);
  return { ...ref, z: bytes.toString('base64') };
}

export function loadReference(stored: StoredReference): HeadReference {
  const bytes = Buffer.from(stored.z, 'base64');
  const z = new Float32Array(bytes.byteLength / 4);
  for (let i = 0; i < z.length; i++) z[i] = bytes.readFloatLE(i * 4);
  const n = stored.samples.length;
  if (z.length !== n * stored.genes)
    throw new RangeError(
      `heads reference: ${z.length} z values for ${n} samples x ${stored.genes} genes; refit the heads`,
    );
  for (const [name, list] of [
    ['cancerTypes', stored.cancerTypes],
    ['osDays', stored.osDays],
    ['osEvent', stored.osEvent],
  ] as const)
    if (!Array.isArray(list) || list.length !== n)
      throw new RangeError(`heads reference: ${name} must have one entry per sample (${n}); refit the heads`);
  return { ...stored, z };
}

/** Sample i's z values (V). */
export function referenceRow(ref: HeadReference, i: number): Float32Array {
  return ref.z.subarray(i * ref.genes, (i + 1) * ref.genes);
}

/** The reference samples as model input: their z values over the vocabulary, `keep` choosing the genes. */
export function referenceProfiles(
  ref: HeadReference,
  stats: NormStats,
  keep: (v: number) => boolean = () => true,
): Profile[] {
  return ref.samples.map((_, i) => {
    const row = referenceRow(ref, i);
    return {
      genes: stats.genes,
      values: Float32Array.from(row, (v, g) => (keep(g) ? v : Number.NaN)),
      unit: 'z' as const,
    };
  });
}

/** The reference restricted to some of its samples (rows, in the order given). */
export function referenceSubset(ref: HeadReference, rows: readonly number[]): HeadReference {
  const z = new Float32Array(rows.length * ref.genes); // (rows x V)
  rows.forEach((r, k) => {
    z.set(referenceRow(ref, r), k * ref.genes);
  });
  const pick = <T>(list: readonly T[]) => rows.map((r) => list[r]!);
  return {
    samples: pick(ref.samples),
    cancerTypes: pick(ref.cancerTypes),
    osDays: pick(ref.osDays),
    osEvent: pick(ref.osEvent),
    genes: ref.genes,
    z,
  };
}

/** How many reference samples have a type, survival, and events. */
export function referenceSummary(ref: HeadReference): {
  samples: number;
  cancerTypes: Record<string, number>;
  survivalPatients: number;
  events: number;
} {
  const cancerTypes: Record<string, number> = {};
  for (const t of ref.cancerTypes) if (t) cancerTypes[t] = (cancerTypes[t] ?? 0) + 1;
  let survivalPatients = 0;
  let events = 0;
  ref.osDays.forEach((d, i) => {
    if (d !== null && d > 0 && ref.osEvent[i] !== null) {
      survivalPatients++;
      if (ref.osEvent[i] === 1) events++;
    }
  });
  return { samples: ref.samples.length, cancerTypes, survivalPatients, events };
}
