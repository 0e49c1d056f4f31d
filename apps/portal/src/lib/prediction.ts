// What the sample page says about the model's cancer-type and risk answers, in words: an out-of-distribution
// sample is an explicit unknown (its closest known type is named as such, never as the prediction), and
// every answer names the head version that gave it.

export interface HeadsUsed {
  id: string;
  inputGenes: number;
  panelMatched: boolean;
}

export interface TypePrediction {
  cancerType: string | null;
  closestType: string;
  probability: number;
  novelty: number;
  outOfDistribution: boolean;
}

export const percent = (p: number) => `${(p * 100).toFixed(1)}%`;

/** True when the sample is flagged (or the API gave no type): the model predicts no type. */
export const isUnknownType = (p: TypePrediction) => p.outOfDistribution || p.cancerType === null;

/** The notice for a flagged sample (after "Unknown type: "): the types the heads know, the novelty, the closest type. */
export function unknownTypeText(p: TypePrediction, knownTypes: string[]): string {
  const known = knownTypes.length > 0 ? knownTypes.join(', ') : 'none listed';
  return (
    `this sample looks unlike every cancer type the model's heads know (${known}; ` +
    `novelty ${p.novelty.toFixed(2)}, flagged above 1). The closest known type is ${p.closestType} ` +
    `(probability ${percent(p.probability)}), but the model does not predict it.`
  );
}

/** The predicted type with its calibrated probability and novelty (for a sample that is not flagged). */
export function knownTypeText(p: TypePrediction): string {
  return `calibrated probability ${percent(p.probability)}; novelty ${p.novelty.toFixed(2)} (flagged above 1, so within the known types)`;
}

/** Which heads answered: their version and whether they were matched to the sample's measured panel. */
export function headsText(h: HeadsUsed): string {
  const genes = h.inputGenes.toLocaleString('en-US');
  return h.panelMatched
    ? `heads ${h.id}, panel-matched: fitted on the reference seen through the ${genes} vocabulary genes this sample measures`
    : `heads ${h.id}, whole-profile (not panel-matched): fitted on ${genes} measured vocabulary genes`;
}

/** What the risk head was fitted on. */
export function riskFitText(r: { patients: number; events: number }): string {
  return `risk head fitted on ${r.patients.toLocaleString('en-US')} patients with ${r.events.toLocaleString('en-US')} deaths`;
}
