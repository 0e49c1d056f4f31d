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
    '',
    'Held-out figures (5-fold cross-validation over the reference; novelty: each type left out of the head in turn, fitted on 2/3 of the others, scored against the remaining third):',
    '',
    '| input | accuracy | ECE before | ECE after temperature | novelty AUROC (worst) | known-type flagged | left-out type flagged |',
    '|---|---|---|---|---|---|---|',
    `| whole profile | ${num(m['whole.accuracy'])} | ${num(m['whole.eceBefore'])} | ${num(m['whole.eceAfter'])} | ${num(m['whole.novelty.auroc'])} (${num(m['whole.novelty.worstAuroc'])}) | ${pct(m['whole.novelty.knownFlagged'])} | ${pct(m['whole.novelty.novelFlagged'])} |`,
    `| random 64-gene panels (mean of draws) | ${num(panelMean(m, 'accuracy'))} | ${num(panelMean(m, 'eceBefore'))} | ${num(panelMean(m, 'eceAfter'))} | ${num(panelMean(m, 'novelty.auroc'))} (${num(panelMean(m, 'novelty.worstAuroc'))}) | ${pct(panelMean(m, 'novelty.knownFlagged'))} | ${pct(panelMean(m, 'novelty.novelFlagged'))} |`,
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
