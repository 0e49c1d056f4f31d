// Imports: every ingest with its provenance (file, checksum, format, counts) and warnings; failed ones
// (nothing stored) are marked and show their error. `?status=failed|succeeded` lists only those.
import type { Metadata } from 'next';
import { ApiFailure } from '../../components/ApiFailure.tsx';
import { DataTable } from '../../components/DataTable.tsx';
import { Link } from '../../components/Link.tsx';
import { Stats } from '../../components/Stats.tsx';
import {
  ImportHistoryDocument,
  type ImportHistoryQuery,
  type ImportStatus,
} from '../../generated/graphql.ts';
import { allPages, apiRequest } from '../../lib/api.ts';
import { attempt } from '../../lib/attempt.ts';
import { requireUser } from '../../lib/auth.ts';
import { formatInt, formatTimestamp } from '../../lib/format.ts';

export const metadata: Metadata = { title: 'Imports' };

type ImportNode = ImportHistoryQuery['imports']['nodes'][number];

const COLUMNS = [
  { label: 'Import' },
  { label: 'Status' },
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
  { label: 'Error' },
  { label: 'SHA-256' },
  { label: 'Finished' },
  { label: 'Duration (s)', numeric: true },
];

const FILTERS = [
  { param: undefined, label: 'All' },
  { param: 'failed', label: 'Failed', status: 'FAILED' as ImportStatus },
  { param: 'succeeded', label: 'Succeeded', status: 'SUCCEEDED' as ImportStatus },
] as const;

interface Props {
  searchParams: Promise<{ status?: string }>;
}

export default async function ImportsPage({ searchParams }: Props) {
  const query = await searchParams;
  await requireUser(query.status ? `/imports?status=${encodeURIComponent(query.status)}` : '/imports');
  const filter = FILTERS.find((f) => f.param === query.status) ?? FILTERS[0];
  const status = 'status' in filter ? filter.status : null;
  const result = await attempt(() =>
    allPages(
      async (first, after) => (await apiRequest(ImportHistoryDocument, { first, after, status })).imports,
    ),
  );
  if (!result.ok)
    return <ApiFailure what="The import history" message={result.message} unreachable={result.unreachable} />;
  const imports = result.data.nodes;
  const failed = imports.filter((i) => i.status === 'FAILED');
  const rows = imports.map((i) => ({
    key: i.id,
    ...(i.status === 'FAILED' ? { tone: 'danger' as const } : {}),
    cells: [
      { value: Number(i.id), text: `#${i.id}` },
      { value: i.status.toLowerCase() },
      { value: i.kind.toLowerCase() },
      { value: i.fileName, ...(i.simulated ? { badge: 'simulated' } : {}) },
      { value: i.format },
      { value: i.unit ? i.unit.toLowerCase().replaceAll('_', ' ') : null },
      { value: i.sampleCount },
      { value: i.geneCount },
      { value: i.rowCount },
      { value: i.skippedCount },
      { value: i.unmappedGeneCount },
      { value: i.warnings.join(' | ') || null, text: i.warnings.length ? i.warnings.join('; ') : 'none' },
      { value: i.error ?? null },
      { value: i.checksum || null, text: i.checksum ? `${i.checksum.slice(0, 12)}…` : '–' },
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
        Every ingest, newest last. An import either stores all its input or nothing: a failed one stored no
        sample, expression value or survival, and is listed with the error its command reported.
      </p>
      <nav className="filter-links" aria-label="Show imports">
        {FILTERS.map((f) => (
          <Link
            key={f.label}
            href={f.param ? `/imports?status=${f.param}` : '/imports'}
            aria-current={f === filter ? 'page' : undefined}
          >
            {f.label}
          </Link>
        ))}
      </nav>
      <Stats
        label="Import figures"
        items={[
          { label: 'imports', value: formatInt(imports.length), testId: 'import-count' },
          { label: 'failed', value: formatInt(failed.length), testId: 'failed-import-count' },
          { label: 'samples imported', value: formatInt(imports.reduce((s, i) => s + i.sampleCount, 0)) },
          { label: 'imports with warnings', value: formatInt(withWarnings) },
        ]}
      />
      <FailedImports imports={failed} />
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

/** The failed imports, newest first, each with its error (nothing was stored for them). */
function FailedImports({ imports }: { imports: ImportNode[] }) {
  if (imports.length === 0) return null;
  return (
    <section className="error-box" aria-labelledby="failed-imports" data-testid="failed-imports">
      <h2 id="failed-imports">Failed imports</h2>
      <ul>
        {[...imports].reverse().map((i) => (
          <li key={i.id} data-testid="failed-import">
            <span className="status-failed">
              #{i.id} {i.fileName}
            </span>{' '}
            ({i.kind.toLowerCase()}, {formatTimestamp(i.finishedAt)}):{' '}
            <span className="error-text">{i.error}</span>
          </li>
        ))}
      </ul>
    </section>
  );
}
