// The create-cohort form's fields read into the API's SampleFilter: ticked cancer and sample types, clinical
// condition rows (attribute, operator, value) and expression threshold rows (gene, operator, value, unit).
// The API validates the filter and names what is wrong; here only what the form alone can tell is checked.
import type {
  ClinicalOperator,
  Comparison,
  ExpressionUnit,
  SampleFilter,
  SampleType,
} from '../generated/graphql.ts';
import { UNITS } from './genes.ts';

/** Rows of each kind the form offers (empty rows are ignored). */
export const CLINICAL_ROWS = 3;
export const EXPRESSION_ROWS = 2;

export const CLINICAL_OPERATORS: { value: ClinicalOperator; label: string }[] = [
  { value: 'IN', label: 'is one of' },
  { value: 'NOT_IN', label: 'is not one of' },
  { value: 'GT', label: '>' },
  { value: 'GE', label: '≥' },
  { value: 'LT', label: '<' },
  { value: 'LE', label: '≤' },
];
export const COMPARISONS = CLINICAL_OPERATORS.slice(2) as { value: Comparison; label: string }[];
const SAMPLE_TYPES: readonly SampleType[] = ['TUMOR', 'NORMAL', 'CONTROL', 'OTHER'];

/** A filter, or the first thing the form alone can tell is wrong. */
export type FormFilter = { ok: true; filter: SampleFilter } | { ok: false; error: string };

function numberIn(text: string, what: string): number | string {
  const value = Number(text);
  return text !== '' && Number.isFinite(value) ? value : `${what}: '${text}' is not a number.`;
}

export function filterFromForm(form: FormData): FormFilter {
  const field = (name: string) => String(form.get(name) ?? '').trim();
  const ticked = form.getAll('cancerType').map(String);
  const typed = field('otherCancerTypes')
    .split(/[\s,]+/)
    .filter(Boolean);
  const cancerTypes = [...new Set([...ticked, ...typed].map((t) => t.trim().toUpperCase()))];
  const sampleTypes = form
    .getAll('sampleType')
    .map(String)
    .filter((t): t is SampleType => SAMPLE_TYPES.includes(t as SampleType));
  const clinical: NonNullable<SampleFilter['clinical']> = [];
  for (let i = 0; i < CLINICAL_ROWS; i++) {
    const attribute = field(`attribute${i}`);
    const op = CLINICAL_OPERATORS.find((o) => o.value === field(`attributeOp${i}`))?.value ?? 'IN';
    const text = field(`attributeValue${i}`);
    if (!attribute) continue;
    const what = `Clinical condition ${i + 1} (${attribute})`;
    if (!text) return { ok: false, error: `${what}: give a value.` };
    if (op === 'IN' || op === 'NOT_IN') {
      clinical.push({
        attribute,
        op,
        values: text
          .split(',')
          .map((v) => v.trim())
          .filter(Boolean),
      });
      continue;
    }
    const value = numberIn(text, what);
    if (typeof value === 'string') return { ok: false, error: value };
    clinical.push({ attribute, op, value });
  }
  const expression: NonNullable<SampleFilter['expression']> = [];
  for (let i = 0; i < EXPRESSION_ROWS; i++) {
    const gene = field(`gene${i}`);
    if (!gene) continue;
    const op = COMPARISONS.find((o) => o.value === field(`geneOp${i}`))?.value ?? 'GT';
    const value = numberIn(field(`geneValue${i}`), `Expression threshold ${i + 1} (${gene})`);
    if (typeof value === 'string') return { ok: false, error: value };
    const unit = UNITS.find((u) => u === field(`geneUnit${i}`)) ?? ('RAW_COUNT' as ExpressionUnit);
    expression.push({ gene, op, value, unit });
  }
  return {
    ok: true,
    filter: {
      cancerTypes: cancerTypes.length ? cancerTypes : null,
      sampleTypes: sampleTypes.length ? sampleTypes : null,
      clinical: clinical.length ? clinical : null,
      expression: expression.length ? expression : null,
    },
  };
}
