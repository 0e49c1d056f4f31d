/**
 * Panel head sets: the heads of a gene panel are fitted on the model's reference seen through the panel's
 * genes (serve.ts). The panels a checkpoint's normalisation names are fitted with the heads and stored in
 * them (heads.json `panels`), so a sample of such a panel is answered without fitting anything: for each
 * unit other than counts whose statistics cover only part of the vocabulary (RSEM for a model also trained
 * on an RSEM table), the genes those statistics cover, which is what a whole sample of that unit measures
 * (the others have no statistics in that unit and are read as unmeasured: normalise.ts zOf).
 */
import { embed, type Predictor } from '../gexbert/inference/infer.ts';
import type { NormStats } from '../gexbert/inference/normalise.ts';
import { fitHeadSet, type HeadSet, parseHeadSet } from './headSet.ts';
import { type HeadReference, referenceProfiles } from './reference.ts';

/** A named panel: vocabulary positions, ascending. */
export interface Panel {
  name: string;
  genes: number[];
}

/** A panel's head set, stored with the heads. */
export interface PanelHeadSet extends Panel {
  set: HeadSet;
}

/** The key a panel is found by: its measured vocabulary positions, ascending. */
export function panelKey(genes: readonly number[]): string {
  return genes.join(',');
}

/**
 * The panels of a model's normalisation: per unit other than counts with statistics for only part of the
 * vocabulary, named by the unit, the positions those statistics cover.
 */
export function unitPanels(stats: NormStats): Panel[] {
  const V = stats.genes.length;
  const panels: Panel[] = [];
  for (const [name, moments] of [['rsem', stats.rsem]] as const) {
    if (!moments) continue;
    const genes = stats.genes.flatMap((_, v) => (Number.isFinite(moments.mean[v]!) ? [v] : []));
    if (genes.length > 0 && genes.length < V) panels.push({ name, genes });
  }
  return panels;
}

/** The reference's embeddings (n, reference order) from the given vocabulary positions only. */
export async function embedThrough(
  predictor: Predictor,
  stats: NormStats,
  reference: HeadReference,
  genes: readonly number[],
): Promise<Float32Array[]> {
  const keep = new Uint8Array(stats.genes.length);
  for (const v of genes) keep[v] = 1;
  const profiles = referenceProfiles(reference, stats, (g) => keep[g] === 1);
  return (await embed(predictor, stats, profiles, { missing: 'omit' })).embeddings;
}

/** The head set of a panel: fitted on the reference seen through its genes. */
export async function fitPanelHeadSet(
  predictor: Predictor,
  stats: NormStats,
  reference: HeadReference,
  genes: readonly number[],
): Promise<HeadSet> {
  return fitHeadSet(await embedThrough(predictor, stats, reference, genes), reference, genes);
}

/** The head sets of the normalisation's panels (unitPanels), in its order. */
export async function fitUnitPanelHeadSets(
  predictor: Predictor,
  stats: NormStats,
  reference: HeadReference,
  log: (line: string) => void = () => {},
): Promise<PanelHeadSet[]> {
  const out: PanelHeadSet[] = [];
  for (const panel of unitPanels(stats)) {
    log(`fitting the ${panel.name} panel's heads (${panel.genes.length} genes)`);
    out.push({ ...panel, set: await fitPanelHeadSet(predictor, stats, reference, panel.genes) });
  }
  return out;
}

/** Validates stored panel head sets over a vocabulary of V genes. */
export function parsePanelHeadSets(value: unknown, V: number): PanelHeadSet[] {
  if (!Array.isArray(value)) throw new RangeError('heads: panels must be an array');
  const names = new Set<string>();
  return value.map((p: Partial<PanelHeadSet> | null, i) => {
    const at = `panels[${i}]`;
    if (!p || typeof p !== 'object') throw new RangeError(`heads: ${at} must be an object`);
    if (typeof p.name !== 'string' || p.name === '' || names.has(p.name))
      throw new RangeError(`heads: ${at}.name must be a non-empty name no other panel has`);
    names.add(p.name);
    const genes = p.genes;
    if (
      !Array.isArray(genes) ||
      genes.length === 0 ||
      !genes.every((v, k) => Number.isInteger(v) && v >= 0 && v < V && (k === 0 || v > genes[k - 1]!))
    )
      throw new RangeError(`heads: ${at}.genes must be ascending vocabulary positions (0 to ${V - 1})`);
    const set = parseHeadSet(p.set, `${at}.set`);
    if (set.inputGenes !== genes.length)
      throw new RangeError(
        `heads: ${at}.set was fitted from ${set.inputGenes} genes, not its ${genes.length}`,
      );
    return { name: p.name, genes, set };
  });
}
