// Imports: every committed ingest with its provenance (file, checksum, format, counts) and warnings.
import type { Metadata } from 'next';
import { ApiFailure } from '../../components/ApiFailure.tsx';
import { DataTable } from '../../components/DataTable.tsx';
import { Stats } from '../../components/Stats.tsx';
import { ImportHistoryDocument } from '../../generated/graphql.ts';
import { allPages, apiRequest } from '../../lib/api.ts';
import { attempt } from '../../lib/attempt.ts';
import { formatInt, formatTimestamp } from '../../lib/format.ts';

export const metadata: Metadata = { title: 'Imports' };

const COLUMNS = [
  { label: 'Import' },
  { label: 'Kind' },
  { label: 'File' },
  { label: 'Format' },
  { label: 'Unit' },
  { label: 'Samples', numeric: true },
  { label: 'Genes', numeric: true },
  { label: 'Rows', numeric: true },
  { label: 'Skipped', numeric: true },
  { label: 'Unmapped genes', numeric: true },
  { label: 'Warnings' },
  { label: 'SHA-256' },
  { label: 'Finished' },
  { label: 'Duration (s)', numeric: true },
];

export default async function ImportsPage() {
  const result = await attempt(() =>
    allPages(async (first, after) => (await apiRequest(ImportHistoryDocument, { first, after })).imports),
  );
  if (!result.ok)
    return <ApiFailure what="The import history" message={result.message} unreachable={result.unreachable} />;
  const imports = result.data.nodes;
  const rows = imports.map((i) => ({
    key: i.id,
    cells: [
      { value: Number(i.id), text: `#${i.id}` },
      { value: i.kind.toLowerCase() },
      { value: i.fileName },
      { value: i.format },
      { value: i.unit ? i.unit.toLowerCase().replaceAll('_', ' ') : null },
      { value: i.sampleCount },
      { value: i.geneCount },
      { value: i.rowCount },
      { value: i.skippedCount },
      { value: i.unmappedGeneCount },
      { value: i.warnings.join(' | ') || null, text: i.warnings.length ? i.warnings.join('; ') : 'none' },
      { value: i.checksum, text: `${i.checksum.slice(0, 12)}…` },
      { value: i.finishedAt, text: formatTimestamp(i.finishedAt) },
      {
        value: Number(((Date.parse(i.finishedAt) - Date.parse(i.startedAt)) / 1000).toFixed(1)),
      },
    ],
  }));
  const withWarnings = imports.filter((i) => i.warnings.length > 0).length;
  return (
    <>
      <h1>Imports</h1>
      <p className="muted">
        Every ingest that was committed, newest last. An import either stored all its input or nothing, so
        failed ingests leave no row here; their errors are printed by the command that ran them.
      </p>
      <Stats
        label="Import figures"
        items={[
          { label: 'imports', value: formatInt(imports.length), testId: 'import-count' },
          { label: 'samples imported', value: formatInt(imports.reduce((s, i) => s + i.sampleCount, 0)) },
          { label: 'imports with warnings', value: formatInt(withWarnings) },
        ]}
      />
      <DataTable
        title="Import history"
        columns={COLUMNS}
        rows={rows}
        testId="import-table"
        emptyText="Nothing imported yet. Run `gexbert ingest counts <files>` (or the API's ingest mutations)."
      />
    </>
  );
}
