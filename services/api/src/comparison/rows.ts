// What the comparison resolvers hand to their child fields.

/** One group of a comparison (GraphQL ComparedGroup). */
export interface ComparedGroupRow {
  name: 'A' | 'B';
  label: string;
  sampleIds: number[];
  /** Samples compared, once the comparison is done. */
  compared: number | null;
}

/** One gene's difference between the groups (GraphQL GeneDifference). */
export type { GeneDifference as GeneDifferenceRow } from '@gexbert/core/comparison/compareGroups';
