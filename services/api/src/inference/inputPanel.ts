// Restoring from a chosen set of measured genes (e.g. a 64-gene panel): a sample's model input cut down to
// those genes, every other gene left out (as if it had not been measured).
import type { Profile } from '@gexbert/model/inference';

/** The profile's measured (finite) values of the genes in `keep` only; the other genes are dropped. */
export function restrictProfile(profile: Profile, keep: ReadonlySet<string>): Profile {
  const genes: string[] = [];
  const values: number[] = [];
  profile.genes.forEach((gene, i) => {
    const value = profile.values[i]!;
    if (keep.has(gene) && Number.isFinite(value)) {
      genes.push(gene);
      values.push(value);
    }
  });
  return { genes, values: Float32Array.from(values), unit: profile.unit };
}

/** How a list of input genes (Ensembl IDs) meets one sample's measured vocabulary genes. */
export function splitInput(
  inputGenes: readonly string[],
  vocabulary: ReadonlySet<string>,
  profile: Profile,
): { used: string[]; outsideVocabulary: string[]; unmeasured: string[] } {
  const measured = new Set(profile.genes.filter((_, i) => Number.isFinite(profile.values[i]!)));
  const used: string[] = [];
  const outsideVocabulary: string[] = [];
  const unmeasured: string[] = [];
  for (const gene of new Set(inputGenes)) {
    if (!vocabulary.has(gene)) outsideVocabulary.push(gene);
    else if (!measured.has(gene)) unmeasured.push(gene);
    else used.push(gene);
  }
  return { used, outsideVocabulary, unmeasured };
}
