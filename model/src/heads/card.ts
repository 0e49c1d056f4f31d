/** The "Prediction heads" section of a checkpoint's MODEL_CARD.md, written from its heads. */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { ModelHeads } from './modelHeads.ts';

const START = '<!-- heads: start -->';
const END = '<!-- heads: end -->';

function pct(v: number | undefined): string {
  return v === undefined ? '–' : `${(100 * v).toFixed(1)}%`;
}
function num(v: number | undefined, digits = 3): string {
  return v === undefined ? '–' : v.toFixed(digits);
}

/** Mean of metrics `<prefix>.<d>.<name>` over the panel draws. */
function panelMean(m: Record<string, number>, name: string): number | undefined {
  const values = Object.entries(m)
    .filter(([k]) => /^panel64\.\d+\./.test(k) && k.replace(/^panel64\.\d+\./, '') === name)
    .map(([, v]) => v);
  return values.length ? values.reduce((a, b) => a + b, 0) / values.length : undefined;
}

/** Names of the named panels measured (metrics `panel.<name>.accuracy`). */
function namedPanels(m: Record<string, number>): string[] {
  return Object.keys(m).flatMap((k) => {
    const name = /^panel\.(.+)\.accuracy$/.exec(k)?.[1];
    return name ? [name] : [];
  });
}

/** A row of the held-out table per named panel (e.g. the genes of an RSEM table). */
function namedPanelRows(m: Record<string, number>): string[] {
  return namedPanels(m).map((name) => {
    const p = (k: string) => m[`panel.${name}.${k}`];
    return `| ${name} panel (${p('genes')} genes) | ${num(p('accuracy'))} | ${num(p('eceBefore'))} | ${num(p('eceAfter'))} | ${num(p('novelty.auroc'))} (${num(p('novelty.worstAuroc'))}) | ${pct(p('novelty.knownFlagged'))} | ${pct(p('novelty.novelFlagged'))} |`;
  });
}

/** Recall per type and macro-F1 (cross-validated), whole profile and each named panel. */
function perTypeTable(heads: ModelHeads): string[] {
  const m = heads.metrics;
  if (m['whole.macroF1'] === undefined) return [];
  const panels = namedPanels(m);
  const prefixes = ['whole', ...panels.map((p) => `panel.${p}`)];
  const types = Object.entries(heads.summary.cancerTypes).sort(([a], [b]) => a.localeCompare(b));
  return [
    '',
    `Recall per type (the same cross-validation; ${panels.length ? 'each sample embedded from the genes it has, and through the named panel' : 'whole profiles'}):`,
    '',
    `| type | samples | recall${panels.map((p) => ` | recall, ${p} panel`).join('')} |`,
    `|---|---|---${panels.map(() => '|---').join('')}|`,
    ...types.map(
      ([t, n]) => `| ${t} | ${n} | ${prefixes.map((p) => num(m[`${p}.recall.${t}`])).join(' | ')} |`,
    ),
    `| macro-F1 | ${heads.summary.samples} | ${prefixes.map((p) => num(m[`${p}.macroF1`])).join(' | ')} |`,
  ];
}

/** The panels whose head sets are stored with the heads (answered without a fit at the first request). */
function storedPanelLines(heads: ModelHeads): string[] {
  return (heads.panels ?? []).map((p) => {
    const unit = p.name.toUpperCase();
    return `- The ${p.name} panel's heads are stored with them (no fit at its first request): ${p.genes.length} genes, those the model's ${unit} statistics cover, what a whole ${unit} sample measures.`;
  });
}

export function headsCardSection(heads: ModelHeads): string {
  const m = heads.metrics;
  const s = heads.summary;
  const types = Object.entries(s.cancerTypes)
    .map(([t, n]) => `${t} ${n}`)
    .join(', ');
  const lines = [
    START,
    '## Prediction heads',
    `Head version \`${heads.id}\`, fitted ${heads.fittedAt} on ${s.samples} ${heads.simulated ? 'samples INCLUDING SIMULATED ONES (demo only)' : 'real samples'} (${heads.source}).`,
    `- Cancer types (${Object.keys(s.cancerTypes).length}): ${types}. Any other type is outside what the heads know: such samples should be flagged as out of distribution (an explicit unknown).`,
    `- Survival: ${s.survivalPatients} patients with overall survival, ${s.events} deaths${heads.full.risk ? '' : ' (too few events: no risk head)'}.`,
    '- Whole profiles are answered by heads fitted on whole-profile embeddings; a panel of fewer genes by heads fitted on the reference seen through the same genes (fitted once per panel and kept).',
    ...storedPanelLines(heads),
    '',
    'Held-out figures (5-fold cross-validation over the reference; novelty: each type left out of the head in turn, fitted on 2/3 of the others, scored against the remaining third):',
    '',
    '| input | accuracy | ECE before | ECE after temperature | novelty AUROC (worst) | known-type flagged | left-out type flagged |',
    '|---|---|---|---|---|---|---|',
    `| whole profile | ${num(m['whole.accuracy'])} | ${num(m['whole.eceBefore'])} | ${num(m['whole.eceAfter'])} | ${num(m['whole.novelty.auroc'])} (${num(m['whole.novelty.worstAuroc'])}) | ${pct(m['whole.novelty.knownFlagged'])} | ${pct(m['whole.novelty.novelFlagged'])} |`,
    `| random 64-gene panels (mean of draws) | ${num(panelMean(m, 'accuracy'))} | ${num(panelMean(m, 'eceBefore'))} | ${num(panelMean(m, 'eceAfter'))} | ${num(panelMean(m, 'novelty.auroc'))} (${num(panelMean(m, 'novelty.worstAuroc'))}) | ${pct(panelMean(m, 'novelty.knownFlagged'))} | ${pct(panelMean(m, 'novelty.novelFlagged'))} |`,
    ...namedPanelRows(m),
    ...perTypeTable(heads),
    '',
    heads.intervals
      ? `Restored values carry ${Math.round(100 * heads.intervals.coverage)}% intervals: ${heads.intervals.method} (calibrated on ${heads.intervals.calibratedOn} samples).`
      : 'Restored values carry no intervals (not calibrated).',
    'Caveat: the encoder was pretrained (without labels) on these same samples, so a left-out type was seen in pretraining; a type it never saw at all may sit differently.',
    END,
  ];
  return lines.join('\n');
}

/** Writes (or replaces) the heads section of `<dir>/MODEL_CARD.md`. */
export function writeHeadsCard(dir: string, heads: ModelHeads): void {
  const file = path.join(dir, 'MODEL_CARD.md');
  let text = '';
  try {
    text = readFileSync(file, 'utf8');
  } catch {}
  const section = headsCardSection(heads);
  const at = text.indexOf(START);
  const end = text.indexOf(END);
  text =
    at >= 0 && end > at
      ? `${text.slice(0, at)}${section}${text.slice(end + END.length)}`
      : `${text.trimEnd()}\n\n${section}\n`;
  writeFileSync(file, text);
}
