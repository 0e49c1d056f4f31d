// gexbert heads fit: fit a checkpoint's prediction heads (cancer type with calibration and a novelty flag,
// survival risk, restoration intervals, the head sets of the panels its normalisation names) on labelled real
// count files, and write them into the checkpoint (heads.json, and a section of MODEL_CARD.md). The heads then
// travel with the model. gexbert heads panels: fit only those panel head sets into an existing heads.json.

import path from 'node:path';
import { isSimulatedSource } from '@gexbert/core/ingest/simulated';
import { openPlatform } from '@gexbert/core/platform';
import { checkpointSource } from '@gexbert/core/registry/checkpointStore';
import { refitModelHeads } from '@gexbert/core/registry/modelVersion';
import { rsemCorpusFromTable, rsemLabelledData } from '@gexbert/core/training/rsemCorpus';
import { loadCountsDir, readSurvival } from '@gexbert/model/data';
import {
  fitCheckpointHeads,
  fitCheckpointPanels,
  HEADS_FILE,
  parseModelHeads,
  readModelHeads,
  writeHeadsCard,
  writeModelHeads,
} from '@gexbert/model/heads';
import type { Command } from 'commander';
import { fail, type OutputOptions, report } from '../output.ts';

interface Flags extends OutputOptions {
  model: string;
  data: string;
  clinical?: string;
  includeSimulated?: boolean;
  rsemTable?: string;
}

export function registerHeads(program: Command): void {
  const heads = program.command('heads').description("a model's prediction heads");
  registerHeadsRefit(heads);
  registerHeadsPanels(heads);
  heads
    .command('fit')
    .description(
      'fit the heads of a checkpoint on labelled count files (TCGA_<TYPE>_ file names give the types) and write heads.json into it',
    )
    .requiredOption('--model <dir>', 'the checkpoint folder')
    .requiredOption('--data <dir|file>', 'genes x samples count files, one cancer type per file')
    .option(
      '--rsem-table <dir|file>',
      "also fit on an RSEM expression table with a cancer type per sample (its sidecar), read through the model's RSEM statistics; held-out figures are also given through that table's genes",
    )
    .option('--clinical <file>', 'overall survival (patient, OS_time_days, OS_event) for the risk head')
    .option(
      '--include-simulated',
      'allow files from `gexbert simulate` (the heads are then marked simulated)',
    )
    .option('--json', 'print the result as JSON')
    .action(async (flags: Flags) => {
      try {
        const simulated =
          isSimulatedSource(flags.data) ||
          (flags.rsemTable !== undefined && isSimulatedSource(flags.rsemTable));
        if (simulated && !flags.includeSimulated)
          throw new Error(
            `${flags.data} holds simulated data (a SIMULATED marker from gexbert simulate): heads for real samples are fitted on real data only; pass --include-simulated for a demo model`,
          );
        const rsem = flags.rsemTable ? await rsemCorpusFromTable(flags.rsemTable) : undefined;
        const fitted = await fitCheckpointHeads({
          checkpoint: flags.model,
          data: [loadCountsDir(flags.data), ...(rsem ? [rsemLabelledData(rsem)] : [])],
          ...(rsem ? { panels: { [path.basename(flags.rsemTable!)]: rsem.genes } } : {}),
          survival: flags.clinical ? readSurvival(flags.clinical) : null,
          source: `${flags.data}${flags.rsemTable ? ` and ${flags.rsemTable} (RSEM)` : ''}${flags.clinical ? ` with survival from ${flags.clinical}` : ''}`,
          simulated,
          log: (line) => process.stderr.write(`${line}\n`),
        });
        writeModelHeads(flags.model, fitted);
        writeHeadsCard(flags.model, fitted);
        report(flags, { id: fitted.id, summary: fitted.summary, metrics: fitted.metrics }, () => [
          `heads ${fitted.id} written to ${path.join(flags.model, 'heads.json')} (${fitted.summary.samples} samples, ${Object.keys(fitted.summary.cancerTypes).length} types, ${fitted.summary.events} events)`,
          ...Object.entries(fitted.metrics).map(([k, v]) => `  ${k}: ${v.toFixed(4)}`),
        ]);
      } catch (error) {
        fail(flags, error);
      }
    });
}

interface RefitFlags extends OutputOptions {
  includeSimulated?: boolean;
}

/** gexbert heads refit <version>: refit a registered version's heads on the stored real labelled samples. */
export function registerHeadsRefit(heads: Command): void {
  heads
    .command('refit <version>')
    .description(
      "refit a registered model version's heads on the stored real samples with raw counts and a cancer type or survival (a new head version)",
    )
    .option('--include-simulated', 'fit on simulated samples too (the heads are then marked simulated)')
    .option('--json', 'print the result as JSON')
    .action(async (id: string, flags: RefitFlags) => {
      const platform = await openPlatform();
      try {
        if (!/^\d+$/.test(id))
          throw new Error(`"${id}" is not a model version ID: give the number \`gexbert db status\` lists`);
        const version = await refitModelHeads(platform, Number(id), {
          cacheDir: checkpointSource(platform).cacheDir,
          includeSimulated: flags.includeSimulated === true,
          log: (line) => process.stderr.write(`${line}\n`),
        });
        const fitted = parseModelHeads(version.heads);
        report(flags, { model: version.id, heads: fitted.id, summary: fitted.summary }, () => [
          `model ${version.id} (${version.name}): heads ${fitted.id} on ${fitted.summary.samples} samples (${Object.entries(
            fitted.summary.cancerTypes,
          )
            .map(([t, n]) => `${t} ${n}`)
            .join(', ')}), ${fitted.summary.events} events`,
        ]);
      } catch (error) {
        fail(flags, error);
      } finally {
        await platform.close();
      }
    });
}

/**
 * gexbert heads panels --model <dir>: the head sets of the checkpoint's panels (those its normalisation names,
 * e.g. the genes of its RSEM statistics) fitted into its heads.json, nothing else refitted (a new head id).
 */
function registerHeadsPanels(heads: Command): void {
  heads
    .command('panels')
    .description(
      "fit the head sets of the panels a checkpoint's normalisation names (e.g. the genes its RSEM statistics cover) into its heads.json, refitting nothing else, so their samples are answered without a fit at the first request",
    )
    .requiredOption('--model <dir>', 'the checkpoint folder (with heads.json)')
    .option('--json', 'print the result as JSON')
    .action(async (flags: OutputOptions & { model: string }) => {
      try {
        const prior = readModelHeads(flags.model);
        const before = prior?.id;
        const fitted = await fitCheckpointPanels(flags.model, (line) => process.stderr.write(`${line}\n`));
        if (fitted.panels?.length || prior?.panels?.length) {
          writeModelHeads(flags.model, fitted);
          writeHeadsCard(flags.model, fitted);
        }
        const panels = (fitted.panels ?? []).map((p) => ({ name: p.name, genes: p.genes.length }));
        report(flags, { previousId: before, id: fitted.id, panels }, () => [
          panels.length
            ? `heads ${before} -> ${fitted.id}: stored the head sets of ${panels.map((p) => `${p.name} (${p.genes} genes)`).join(', ')} in ${path.join(flags.model, HEADS_FILE)}`
            : `heads ${fitted.id} unchanged: the normalisation names no panel (no unit other than counts with statistics for part of the vocabulary)`,
        ]);
      } catch (error) {
        fail(flags, error);
      }
    });
}
