/**
 * report.md's "Can the answers be trusted?" section: the trust task's tables (calibration, out-of-distribution
 * flags, interval coverage) and one sentence per target saying, from the numbers, whether it is met.
 */
import { type ReportRow, reportToMarkdown } from './report.ts';
import { GEXBERT_LINEAR } from './tasks/classification.ts';
import {
  calibrationSetting,
  INTERVALS,
  NOVELTY_HEAD,
  PCA_BASELINE,
  TRUST_PANEL,
  TRUST_TASK,
  WHOLE_PROFILE,
} from './tasks/trust.ts';

/** The targets the section checks. */
export const TRUST_TARGETS = {
  eceAfter: 0.05,
  noveltyAuroc: 0.95,
  knownFlagged: 0.05,
  coverage: [0.85, 0.95] as const,
};

const pct = (v: number) => `${(100 * v).toFixed(1)}%`;
const num = (v: number) => v.toFixed(3);
const met = (ok: boolean) => (ok ? 'target met' : 'target NOT met');

/** The section's lines (empty when the run has no trust rows). */
export function trustSection(rows: ReportRow[]): string[] {
  const trust = rows.filter((r) => r.task === TRUST_TASK);
  if (trust.length === 0) return [];
  const get = (method: string, setting: string, metric: string) =>
    trust.find((r) => r.method === method && r.setting === setting && r.metric === metric);
  const panel = `k=${TRUST_PANEL} genes`;
  const out: string[] = ['## Can the answers be trusted?', ''];

  const calibration = trust.filter((r) => ['ece', 'temperature', 'accuracy'].includes(r.metric));
  out.push(
    '### Calibration of the cancer-type probabilities',
    '',
    `Expected calibration error (10 bins) of the top-class probability on the test samples, before and after temperature scaling (the temperature fitted on 5-fold cross-validated logits of the training samples only); ${panel}: the classification task's random panels. Target: ECE <= ${TRUST_TARGETS.eceAfter} after scaling.`,
    '',
    reportToMarkdown(calibration),
  );
  for (const method of [GEXBERT_LINEAR, 'logistic'])
    for (const setting of [WHOLE_PROFILE, panel]) {
      const before = get(method, calibrationSetting(setting, false), 'ece');
      const after = get(method, calibrationSetting(setting, true), 'ece');
      if (!before || !after) continue;
      out.push(
        `- ${method}, ${setting}: ECE ${num(before.value)} before and ${num(after.value)} after scaling (temperature ${num(get(method, setting, 'temperature')?.value ?? Number.NaN)}): ${met(after.value <= TRUST_TARGETS.eceAfter)} (ECE <= ${TRUST_TARGETS.eceAfter})${after.value < before.value ? '' : '; scaling did not lower it'}.`,
      );
    }
  out.push('');

  const novelty = trust.filter((r) => [NOVELTY_HEAD, PCA_BASELINE].includes(r.method));
  if (novelty.length > 0) {
    out.push(
      '### Out-of-distribution flags',
      '',
      "Each cancer type left out of the training samples in turn; its training and test samples are novel, the other types' test samples known. Means over left-out types and folds (and panel draws) ± their standard deviation. Targets: AUROC >= 0.95 from 64 genes and at least the PCA baseline's from whole profiles; at most 5% of known samples flagged.",
      '',
      reportToMarkdown(novelty),
    );
    const auc64 = get(NOVELTY_HEAD, panel, 'novelty AUROC');
    const aucWhole = get(NOVELTY_HEAD, WHOLE_PROFILE, 'novelty AUROC');
    const aucPca = get(PCA_BASELINE, WHOLE_PROFILE, 'novelty AUROC');
    if (auc64)
      out.push(
        `- Novelty head from ${TRUST_PANEL}-gene panels: AUROC ${num(auc64.value)}: ${met(auc64.value >= TRUST_TARGETS.noveltyAuroc)} (>= ${TRUST_TARGETS.noveltyAuroc}).`,
      );
    if (aucWhole && aucPca)
      out.push(
        `- Whole profiles: novelty head AUROC ${num(aucWhole.value)} against the PCA baseline's ${num(aucPca.value)}: ${met(aucWhole.value >= aucPca.value)} (at least the baseline's).`,
      );
    for (const [method, setting] of [
      [NOVELTY_HEAD, WHOLE_PROFILE],
      [NOVELTY_HEAD, panel],
      [PCA_BASELINE, WHOLE_PROFILE],
    ] as const) {
      const known = get(method, setting, 'known flagged');
      const novel = get(method, setting, 'novel flagged');
      if (known && novel)
        out.push(
          `- ${method}, ${setting}: ${pct(known.value)} of known test samples flagged (${met(known.value <= TRUST_TARGETS.knownFlagged)}, <= ${pct(TRUST_TARGETS.knownFlagged)}), ${pct(novel.value)} of novel samples flagged.`,
        );
    }
    out.push('');
  }

  const intervals = trust.filter((r) => r.method === INTERVALS);
  if (intervals.length > 0) {
    const [lo, hi] = TRUST_TARGETS.coverage;
    out.push(
      '### Restoration intervals',
      '',
      `Nominal 90% intervals calibrated on the training samples' restoration residuals; empirical coverage of the test samples' hidden values (fresh random masks) and mean width in log2(CPM + 1). Target: coverage within ${pct(lo)}-${pct(hi)}.`,
      '',
      reportToMarkdown(intervals),
    );
    const coverage = intervals.filter((r) => r.metric === 'coverage90');
    const outside = coverage.filter((r) => !(r.value >= lo && r.value <= hi));
    out.push(
      `- Coverage ${coverage.map((r) => `${pct(r.value)} at ${r.setting.replace('missing=', '')} missing`).join(', ')}: ${met(outside.length === 0)}${outside.length > 0 ? ` (outside ${pct(lo)}-${pct(hi)}: ${outside.map((r) => r.setting).join(', ')})` : ''}.`,
      '',
    );
  }
  out.push(
    'Reliability diagrams: trust-reliability.png (test samples; before and after temperature scaling).',
    '',
  );
  return out;
}
