// Which model a cohort's model panels (embedding map, risk groups, imputation quality) are drawn with, and how
// much of the cohort each registered model knows. The dashboard draws them with the active model; a sample of a
// cancer type the model's head was not fitted on cannot get its own type from it (the head flags it out of
// distribution, "unknown", or names a type it knows). When another model with heads knows more of the cohort's
// samples (the shipped tcga-33types beside the active tcga-6types, for a pan-cancer cohort), the dashboard says
// so and links to the same panels through that model: /cohorts/<id>/model/<model id>.

export interface ChoosableModel {
  id: string;
  name: string;
  status: string;
  knownCancerTypes: readonly string[];
  /** The model's heads with their held-out figures (name, value); null when it has none. */
  headsInfo: { metrics: readonly { name: string; value: number }[] } | null;
}

export interface ModelCoverage {
  id: string;
  name: string;
  status: string;
  active: boolean;
  /** The cohort's samples whose recorded cancer type the model's cancer-type head knows. */
  knownSamples: number;
  /** The cohort's cancer types the head knows, and those it does not (largest first). */
  knownTypes: string[];
  unknownTypes: string[];
  /** Cross-validated accuracy of the head on whole profiles, and its novelty flag's AUROC (null: not recorded). */
  accuracy: number | null;
  noveltyAuroc: number | null;
}

/** Statuses whose models can answer (a model still training or failed has no checkpoint to serve). */
const ANSWERING = new Set(['ACTIVE', 'CANDIDATE', 'RETIRED']);

/** The cohort's cancer types with their sample counts, largest first (samples without a type left out). */
export function cohortTypes(
  composition: readonly { cancerType?: string | null; count: number }[],
): { type: string; samples: number }[] {
  const counts = new Map<string, number>();
  for (const row of composition)
    if (row.cancerType) counts.set(row.cancerType, (counts.get(row.cancerType) ?? 0) + row.count);
  return [...counts]
    .map(([type, samples]) => ({ type, samples }))
    .sort((a, b) => b.samples - a.samples || a.type.localeCompare(b.type));
}

const metric = (m: ChoosableModel, name: string) =>
  m.headsInfo?.metrics.find((x) => x.name === name)?.value ?? null;

/** How much of the cohort each model with heads knows: the active model first, then by samples known. */
export function modelCoverage(
  models: readonly ChoosableModel[],
  activeId: string | null,
  composition: readonly { cancerType?: string | null; count: number }[],
): ModelCoverage[] {
  const types = cohortTypes(composition);
  return models
    .filter((m) => m.headsInfo !== null && ANSWERING.has(m.status))
    .map((m) => {
      const known = new Set(m.knownCancerTypes);
      return {
        id: m.id,
        name: m.name,
        status: m.status,
        active: m.id === activeId,
        knownSamples: types.reduce((n, t) => n + (known.has(t.type) ? t.samples : 0), 0),
        knownTypes: types.filter((t) => known.has(t.type)).map((t) => t.type),
        unknownTypes: types.filter((t) => !known.has(t.type)).map((t) => t.type),
        accuracy: metric(m, 'whole.accuracy'),
        noveltyAuroc: metric(m, 'whole.novelty.auroc'),
      };
    })
    .sort(
      (a, b) => Number(b.active) - Number(a.active) || b.knownSamples - a.knownSamples || byAccuracy(a, b),
    );
}

/** Higher held-out accuracy first (a retrained companion before the version it replaced); unrecorded last. */
const byAccuracy = (a: ModelCoverage, b: ModelCoverage) => (b.accuracy ?? -1) - (a.accuracy ?? -1);

/** The models that know more of the cohort's samples than `shown` does, most samples first, then the most accurate. */
export function modelsKnowingMore(coverage: readonly ModelCoverage[], shown: ModelCoverage): ModelCoverage[] {
  return coverage
    .filter((c) => c.id !== shown.id && c.knownSamples > shown.knownSamples)
    .sort((a, b) => b.knownSamples - a.knownSamples || byAccuracy(a, b));
}

/** The page drawing a cohort's model panels through one model. */
export function modelPanelsHref(cohortId: string, modelId: string): string {
  return `/cohorts/${encodeURIComponent(cohortId)}/model/${encodeURIComponent(modelId)}`;
}

/** How a model is named beside its name: "active", or its status ("candidate", "retired"). */
export const modelStatus = (c: ModelCoverage) => (c.active ? 'active' : c.status.toLowerCase());

/** A model's held-out figures as a sentence (empty when none are recorded), so a reader sees what its answers are worth. */
export function modelFigures(c: ModelCoverage): string {
  const parts = [
    c.accuracy === null
      ? null
      : `its head's cross-validated accuracy on its reference is ${c.accuracy.toFixed(2)}`,
    c.noveltyAuroc === null
      ? null
      : `its novelty flag's AUROC ${c.noveltyAuroc.toFixed(2)}${c.noveltyAuroc < 0.9 ? ', so its "unknown" is unreliable' : ''}`,
  ].filter(Boolean);
  return parts.length ? ` ${parts[0]![0]!.toUpperCase()}${parts.join('; ').slice(1)}.` : '';
}
