// Resolving the gene identifiers of a file (one per row) against GENCODE v36.
//
// Rules, in order, for each identifier (surrounding whitespace ignored):
// 1. Empty -> InputError.
// 2. Ensembl gene ID, versioned or not (ENSG00000141510, ENSG00000141510.17):
//    - `_PAR_Y` suffixed IDs (GENCODE's chrY copies of pseudoautosomal genes) are dropped with a warning;
//      the chrX row carries the gene;
//    - known to GENCODE v36 -> that gene (version from the file when given, else the reference's);
//    - a well-formed human ID (ENSG + 11 digits) unknown to v36 (e.g. retired since GENCODE v22, which older
//      TCGA files use) is KEPT, with symbol and type null, and reported in a warning: the ID is still a stable
//      name for the same locus, and dropping it would silently lose data;
//    - other species' IDs (ENSMUSG...) are unknown (see 5).
// 3. A spreadsheet-mangled symbol (1-Sep, 2-Mar, Sep-01, 1-Dec, 2001-03-01, 3/1/2001, 1.00E+05) ->
//    InputError with the probable original symbol.
// 4. HGNC symbol -> the gene (see GeneReference.lookupSymbol: ambiguous symbols pick the single
//    protein-coding gene or stay unresolved; old symbols SEPT*/MARCH*/DEC1 map with a warning; case-insensitive
//    matches are warned about). `A|B` identifiers (legacy `SYMBOL|EntrezID`) try each part.
// 4b. With `ncbi` (`gexbert ingest table`): an NCBI Entrez Gene ID (digits) -> its GENCODE v36 gene through
//    the shipped NCBI Gene map; a symbol unknown to v36 -> the one gene it is an NCBI previous/alternative
//    symbol of (reported). An alias of several genes is not guessed: it is dropped and reported as unmapped.
// 5. Anything else is unknown. With `allowUnknownGenes` (synthetic data such as the simulator's SIMG00001)
//    it is kept as ResolvedGene { ensemblId: the ID as given, version/symbol/geneType null }. Without it,
//    unknown identifiers are dropped and listed in `unmapped` (with a warning), unless more than half of the
//    identifiers are unknown: then the file is rejected (InputError with examples and what to do).
// Two rows resolving to the same gene (same ID after version stripping, a symbol and its Ensembl ID, an old
// and a new symbol...) -> InputError naming both lines.

import { InputError } from '../formats/inputError.ts';
import type { ResolvedGene } from '../formats/types.ts';
import { type GeneReference, geneReference, SYMBOL_ALIASES } from './reference.ts';

export interface ResolveOptions {
  /** The file the identifiers come from (for messages). */
  file: string;
  /** Keep identifiers unknown to GENCODE v36 as they are (synthetic gene IDs). */
  allowUnknownGenes?: boolean;
  /** 1-based column of the identifiers in the file (for messages; default 1). */
  column?: number;
  /** Also resolve NCBI Entrez Gene IDs and NCBI previous/alternative symbols (see rule 4b). */
  ncbi?: boolean;
  /**
   * The identifiers are header cells on this line (genes as columns): the position given to resolve() is
   * each one's 1-based column, and messages name columns instead of lines.
   */
  headerLine?: number;
}

export interface GeneResolution {
  /** Identifiers that did not resolve and were dropped (in file order). */
  unmapped: string[];
  /** Human-readable notes, each naming the file and lines. */
  warnings: string[];
  /** How many identifiers were NCBI Entrez Gene IDs resolved to a GENCODE v36 gene (with `ncbi`). */
  entrez: number;
}

export interface EnsemblId {
  ensemblId: string; // unversioned, upper case
  version: number | null;
  parY: boolean;
  human: boolean; // ENSG + 11 digits
}

const ENSEMBL = /^(ENS[A-Z]*G\d{11})(?:\.(\d+))?(_PAR_Y)?$/i;

/** Parses an Ensembl gene ID (any species, versioned or not, optionally `_PAR_Y`); null otherwise. */
export function parseEnsemblId(id: string): EnsemblId | null {
  const m = ENSEMBL.exec(id);
  if (!m) return null;
  const ensemblId = m[1]!.toUpperCase();
  return {
    ensemblId,
    version: m[2] === undefined ? null : Number(m[2]),
    parY: m[3] !== undefined,
    human: /^ENSG\d{11}$/.test(ensemblId),
  };
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const MONTH_GENES: Readonly<Record<number, string>> = { 3: 'MARCH', 9: 'SEPT', 12: 'DEC' };

export interface Mangling {
  kind: 'date' | 'number';
  /** The probable original symbol and its current name, e.g. `SEPT1` / `SEPTIN1`; null when unknown. */
  original: string | null;
  current: string | null;
}

/** Detects gene symbols a spreadsheet turned into dates or numbers; null when the ID looks fine. */
export function detectSpreadsheetMangling(id: string): Mangling | null {
  const s = id.trim();
  const date = spreadsheetDate(s);
  if (date === null) {
    return /^[+-]?\d+(?:[.,]\d+)?[eE][+-]?\d+$/.test(s)
      ? { kind: 'number', original: null, current: null }
      : null;
  }
  const [month, day] = date;
  if (month < 1 || month > 12 || day < 1 || day > 31) return null;
  const family = MONTH_GENES[month];
  if (family === undefined) return { kind: 'date', original: null, current: null };
  const original = `${family}${day}`;
  return { kind: 'date', original, current: SYMBOL_ALIASES.get(original) ?? null };
}

const monthOf = (name: string): number => MONTHS.indexOf(name.slice(0, 3).toLowerCase()) + 1;

/** [month, day] when the text is written like a date (month 0 when the month name is not one). */
function spreadsheetDate(s: string): [number, number] | null {
  const dayMonth = /^(\d{1,2})-([A-Za-z]{3,4})$/.exec(s); // 1-Sep, 01-SEP, 1-Sept
  if (dayMonth) return [monthOf(dayMonth[2]!), Number(dayMonth[1])];
  const monthDay = /^([A-Za-z]{3,4})-(\d{1,4})$/.exec(s); // Sep-01, Mar-1
  if (monthDay) return [monthOf(monthDay[1]!), Number(monthDay[2])];
  const iso = /^(\d{4})[-/](\d{1,2})[-/](\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?$/.exec(s); // 2001-03-01
  if (iso) return [Number(iso[2]), Number(iso[3])];
  const local = /^(\d{1,2})[/.](\d{1,2})[/.](\d{2,4})$/.exec(s); // 3/1/2001 (US) or 1.3.2001 (EU)
  if (local) {
    // The month is the one that is 3, 9 or 12 when only one is; else US order for '/', EU order for '.'.
    const a = Number(local[1]);
    const b = Number(local[2]);
    const aGene = MONTH_GENES[a] !== undefined;
    const bGene = MONTH_GENES[b] !== undefined;
    if (aGene !== bGene) return aGene ? [a, b] : [b, a];
    return s.includes('/') ? [a, b] : [b, a];
  }
  return null;
}

/**
 * A copy of a string cut from a line. V8 keeps substrings as views of their parent string, so an ID kept
 * for messages would otherwise keep its whole (for wide matrices, tens of kilobytes long) line alive.
 */
export function detach(s: string): string {
  return JSON.parse(JSON.stringify(s)) as string;
}

interface Seen {
  line: number;
  id: string;
}

const EXAMPLES = 8;

function examples(items: readonly Seen[], max = EXAMPLES, label = 'line'): string {
  const shown = items.slice(0, max).map((s) => `${label} ${s.line}: ${s.id}`);
  return `${shown.join(', ')}${items.length > max ? `, and ${items.length - max} more` : ''}`;
}

/** Resolves identifiers one row at a time (streaming); call finish() after the last row. */
export class GeneResolver {
  private readonly seen = new Map<string, Seen>();
  private readonly unknown: Seen[] = [];
  private readonly ambiguous: Seen[] = [];
  private readonly parY: Seen[] = [];
  private readonly retired: Seen[] = [];
  private readonly aliased: (Seen & { current: string })[] = [];
  private readonly caseFolded: (Seen & { symbol: string })[] = [];
  private readonly picked: (Seen & { n: number })[] = [];
  private readonly kept: Seen[] = [];
  private readonly ncbiAliased: (Seen & { current: string })[] = [];
  private readonly ambiguousAlias: (Seen & { n: number })[] = [];
  private entrez = 0;
  private total = 0;
  private readonly column: number;
  /** What a position is: a line (genes as rows) or a header column (genes as columns). */
  private readonly label: 'line' | 'column';

  constructor(
    private readonly options: ResolveOptions,
    private readonly reference: GeneReference = geneReference(),
  ) {
    this.column = options.column ?? 1;
    this.label = options.headerLine === undefined ? 'line' : 'column';
  }

  /** Where an identifier at `position` is in the file. */
  private at(position: number): { line: number; column: number } {
    const header = this.options.headerLine;
    return header === undefined
      ? { line: position, column: this.column }
      : { line: header, column: position };
  }

  /** The gene for this row, or null when the row is dropped. Throws InputError for bad identifiers. */
  resolve(rawId: string, line: number): ResolvedGene | null {
    const id = detach(rawId.trim());
    if (id === '') {
      throw new InputError({
        file: this.options.file,
        ...this.at(line),
        problem: 'the gene identifier is empty',
        fix: 'every row must start with a gene ID (Ensembl ID or HGNC symbol): fill it in or remove the row',
      });
    }
    // Fast path: an unversioned or versioned human Ensembl ID in upper case (most rows of most files).
    if (id.length >= 15 && id.startsWith('ENSG') && (id.length === 15 || id.charCodeAt(15) === 46)) {
      const known = this.reference.byId(id.length === 15 ? id : id.slice(0, 15));
      const version =
        id.length === 15 ? null : /^\.\d+$/.test(id.slice(15)) ? Number(id.slice(16)) : undefined;
      if (known !== undefined && version !== undefined) {
        this.total++;
        return this.unique({ ...known, version: version ?? known.version }, id, line);
      }
    }
    const ens = parseEnsemblId(id);
    if (ens?.parY) {
      this.parY.push({ line, id });
      return null;
    }
    this.total++;
    const gene = this.lookup(id, ens, line);
    return gene === null ? null : this.unique(gene, id, line);
  }

  private unique(gene: ResolvedGene, id: string, line: number): ResolvedGene {
    const first = this.seen.get(gene.ensemblId);
    if (first !== undefined) {
      const name = gene.symbol !== null && gene.symbol !== gene.ensemblId ? ` (${gene.symbol})` : '';
      throw new InputError({
        file: this.options.file,
        ...this.at(line),
        problem: `gene ${gene.ensemblId}${name} appears twice: ${this.label} ${first.line} ('${first.id}') and ${this.label} ${line} ('${id}')`,
        fix: 'keep one row per gene: remove the duplicate row (or add the two rows up if they are parts of the same gene)',
      });
    }
    this.seen.set(gene.ensemblId, { line, id });
    return gene;
  }

  private lookup(id: string, ens: EnsemblId | null, line: number): ResolvedGene | null {
    if (ens !== null) {
      const known = this.reference.byId(ens.ensemblId);
      if (known) return { ...known, version: ens.version ?? known.version };
      if (ens.human) {
        this.retired.push({ line, id });
        return { ensemblId: ens.ensemblId, version: ens.version, symbol: null, geneType: null };
      }
      return this.unresolved(id, line);
    }
    if (this.options.ncbi && /^\d+$/.test(id)) {
      const match = this.reference.lookupEntrez(id);
      if (match.kind === 'symbol') {
        this.entrez++;
        return { ...match.gene };
      }
      if (match.kind === 'ambiguous') {
        this.ambiguousAlias.push({ line, id, n: match.candidates.length });
        return null;
      }
      return this.unresolved(id, line);
    }
    const mangled = detectSpreadsheetMangling(id);
    if (mangled !== null) {
      const guess =
        mangled.original === null
          ? ''
          : `; ${id} was probably ${mangled.current ?? mangled.original}${mangled.current ? ` (formerly ${mangled.original})` : ''}`;
      throw new InputError({
        file: this.options.file,
        ...this.at(line),
        problem: `the gene identifier '${id}' is a ${mangled.kind === 'date' ? 'date' : 'number in scientific notation'}: a spreadsheet converted a gene symbol`,
        fix: `re-export the data without spreadsheet ${mangled.kind === 'date' ? 'date' : 'number'} conversion (import the gene column as text), or use Ensembl gene IDs${guess}`,
      });
    }
    const parts = id.includes('|') ? id.split('|').filter((p) => p !== '' && p !== '?') : [id];
    for (const part of parts) {
      if (part !== id) {
        const partEns = parseEnsemblId(part);
        if (partEns !== null) {
          const known = this.reference.byId(partEns.ensemblId);
          if (known) return { ...known, version: partEns.version ?? known.version };
          continue;
        }
      }
      const match = this.options.ncbi
        ? this.reference.lookupSymbolOrAlias(part)
        : this.reference.lookupSymbol(part);
      switch (match.kind) {
        case 'symbol':
          if (match.candidates.length > 1) this.picked.push({ line, id, n: match.candidates.length });
          return { ...match.gene };
        case 'alias':
          this.aliased.push({ line, id, current: match.current });
          return { ...match.gene };
        case 'case':
          this.caseFolded.push({ line, id, symbol: match.gene.symbol ?? '' });
          return { ...match.gene };
        case 'ncbi':
          this.ncbiAliased.push({ line, id, current: match.current });
          return { ...match.gene };
        case 'ambiguous':
          if (match.alias) {
            this.ambiguousAlias.push({ line, id, n: match.candidates.length });
            return null;
          }
          if (parts.length === 1) {
            this.ambiguous.push({ line, id });
            return null;
          }
          break;
        case 'none':
          break;
      }
    }
    return this.unresolved(id, line);
  }

  private unresolved(id: string, line: number): ResolvedGene | null {
    if (this.options.allowUnknownGenes) {
      this.kept.push({ line, id });
      return { ensemblId: id, version: null, symbol: null, geneType: null };
    }
    this.unknown.push({ line, id });
    return null;
  }

  /** Checks the whole list (more than half unknown -> InputError) and returns what was dropped and why. */
  finish(): GeneResolution {
    const file = this.options.file;
    const bad = [...this.unknown, ...this.ambiguous, ...this.ambiguousAlias].sort((a, b) => a.line - b.line);
    if (this.total > 0 && bad.length * 2 > this.total) {
      const first = bad[0]!;
      throw new InputError({
        file,
        ...this.at(first.line),
        problem: `${bad.length} of ${this.total} gene identifiers (${Math.round((100 * bad.length) / this.total)}%) are neither GENCODE v36 Ensembl gene IDs nor HGNC symbols (${examples(bad, 5, this.label)})`,
        fix: unknownFix(bad),
      });
    }
    const warnings: string[] = [];
    if (this.unknown.length > 0) {
      warnings.push(
        `${file}: ${this.unknown.length} gene identifier(s) unknown to GENCODE v36 were dropped (${examples(this.unknown, EXAMPLES, this.label)})`,
      );
    }
    if (this.ambiguous.length > 0) {
      warnings.push(
        `${file}: ${this.ambiguous.length} symbol(s) name several GENCODE v36 genes (none of them the single protein-coding one) and were dropped; use Ensembl IDs to keep them (${examples(this.ambiguous, EXAMPLES, this.label)})`,
      );
    }
    if (this.ambiguousAlias.length > 0) {
      const shown = this.ambiguousAlias
        .slice(0, EXAMPLES)
        .map((a) => `${this.label} ${a.line}: ${a.id} (${a.n} genes)`);
      warnings.push(
        `${file}: ${this.ambiguousAlias.length} identifier(s) are NCBI aliases of several genes; not guessed, reported as unmapped (${shown.join(', ')}${this.ambiguousAlias.length > EXAMPLES ? ', ...' : ''}); use Ensembl IDs or current HGNC symbols to keep them`,
      );
    }
    if (this.ncbiAliased.length > 0) {
      const shown = this.ncbiAliased
        .slice(0, EXAMPLES)
        .map((a) => `${this.label} ${a.line}: ${a.id} -> ${a.current}`);
      warnings.push(
        `${file}: ${this.ncbiAliased.length} previous or alternative symbol(s) mapped through NCBI Gene to their GENCODE v36 gene (${shown.join(', ')}${this.ncbiAliased.length > EXAMPLES ? ', ...' : ''})`,
      );
    }
    if (this.picked.length > 0) {
      warnings.push(
        `${file}: ${this.picked.length} symbol(s) name several genes; the protein-coding one was used (${examples(this.picked, EXAMPLES, this.label)})`,
      );
    }
    if (this.aliased.length > 0) {
      const shown = this.aliased
        .slice(0, EXAMPLES)
        .map((a) => `${this.label} ${a.line}: ${a.id} -> ${a.current}`);
      warnings.push(
        `${file}: ${this.aliased.length} old symbol(s) mapped to their current HGNC names (${shown.join(', ')}${this.aliased.length > EXAMPLES ? ', ...' : ''}); check that they were not damaged by a spreadsheet`,
      );
    }
    if (this.caseFolded.length > 0) {
      const shown = this.caseFolded
        .slice(0, EXAMPLES)
        .map((a) => `${this.label} ${a.line}: ${a.id} -> ${a.symbol}`);
      warnings.push(
        `${file}: ${this.caseFolded.length} symbol(s) matched only ignoring case (${shown.join(', ')}${this.caseFolded.length > EXAMPLES ? ', ...' : ''})`,
      );
    }
    if (this.retired.length > 0) {
      warnings.push(
        `${file}: ${this.retired.length} Ensembl gene ID(s) are not in GENCODE v36 (e.g. retired since an older release); kept without symbol or type (${examples(this.retired, EXAMPLES, this.label)})`,
      );
    }
    if (this.parY.length > 0) {
      warnings.push(
        `${file}: ${this.parY.length} _PAR_Y row(s) (chrY copies of pseudoautosomal genes) were dropped; the chrX rows carry these genes (${examples(this.parY, 3, this.label)})`,
      );
    }
    if (this.kept.length > 0) {
      warnings.push(
        `${file}: ${this.kept.length} gene identifier(s) unknown to GENCODE v36 were kept as given because unknown genes are allowed (${examples(this.kept, 3, this.label)})`,
      );
    }
    return { unmapped: bad.map((b) => b.id), warnings, entrez: this.entrez };
  }
}

function unknownFix(bad: readonly Seen[]): string {
  const ids = bad.slice(0, 50).map((b) => b.id);
  const share = (re: RegExp): number => ids.filter((id) => re.test(id)).length / ids.length;
  if (share(/^\d+$/) > 0.5) {
    return 'these look like Entrez/NCBI gene IDs: `gexbert ingest table` maps them to GENCODE v36 through NCBI Gene; or convert the gene column to Ensembl gene IDs (ENSG...) or HGNC symbols';
  }
  if (share(/^ENS[A-Z]+G\d{11}/i) > 0.5) {
    return 'these are non-human Ensembl IDs: only human genes (ENSG..., GENCODE v36) are supported';
  }
  if (share(/^[A-Za-z0-9]+-[A-Za-z0-9]{2}-[A-Za-z0-9]{4}/) > 0.5) {
    return 'these look like sample barcodes: the matrix seems transposed; write genes as rows and samples as columns';
  }
  return 'the first column must hold human Ensembl gene IDs (ENSG..., versioned or not) or HGNC symbols; for synthetic or custom gene IDs pass --allow-unknown-genes';
}

/** Resolves a whole list at once (lines default to 1..n). */
export function resolveGenes(
  ids: readonly string[],
  options: ResolveOptions & { lines?: readonly number[] },
): GeneResolution & { genes: (ResolvedGene | null)[] } {
  const resolver = new GeneResolver(options);
  const genes = ids.map((id, i) => resolver.resolve(id, options.lines?.[i] ?? i + 1));
  return { genes, ...resolver.finish() };
}
