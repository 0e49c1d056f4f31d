// A cohort's overall survival by cancer type, drawing the types a reader picks (/cohorts/<id>/survival?types=…;
// none: every type): Kaplan-Meier curves, the log-rank test across the drawn types (the API's, over their
// patients only), and their medians. The dashboard links here when it draws only the largest types.
import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { ApiFailure } from '../../../../components/ApiFailure.tsx';
import { Link } from '../../../../components/Link.tsx';
import { CohortSurvivalChoiceDocument } from '../../../../generated/graphql.ts';
import { apiRequest } from '../../../../lib/api.ts';
import { attempt } from '../../../../lib/attempt.ts';
import { requireUser } from '../../../../lib/auth.ts';
import { recordIdOr404 } from '../../../../lib/recordId.ts';
import { chosenTypes, DRAWN_TYPES, largestGroups, survivalHref } from '../../../../lib/survivalChoice.ts';
import { SurvivalFigure, SurvivalTable } from '../SurvivalSection.tsx';

type Props = {
  params: Promise<{ id: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
};

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  return { title: `Survival of cohort ${(await params).id}` };
}

const load = (id: string, types: string[] | null) =>
  attempt(async () => (await apiRequest(CohortSurvivalChoiceDocument, { id, types })).cohort);

export default async function SurvivalPage({ params, searchParams }: Props) {
  const { id } = await params;
  const types = chosenTypes(await searchParams);
  await requireUser(survivalHref(id, types));
  recordIdOr404(id);
  let result = await load(id, types.length ? types : null);
  // a type the cohort does not have: say so, and offer the choice again
  const problem = !result.ok && !result.unreachable && types.length ? result.message : null;
  if (problem) result = await load(id, null);
  if (!result.ok)
    return <ApiFailure what="This cohort" message={result.message} unreachable={result.unreachable} />;
  const cohort = result.data;
  if (!cohort) notFound();
  const every = cohort.every.groups;
  const drawn = cohort.survival.groups;
  const chosen = new Set(problem ? [] : types);
  const across = chosen.size ? `the ${drawn.length} drawn types` : `all ${drawn.length} groups`;
  return (
    <>
      <p className="breadcrumb">
        <Link href="/cohorts">Cohorts</Link> / <Link href={`/cohorts/${id}`}>{cohort.name}</Link> / survival
      </p>
      <h1>Survival of {cohort.name} by cancer type</h1>
      <form method="get" className="panel" aria-label="Cancer types to draw">
        <fieldset>
          <legend>Cancer types to draw (patients with a survival time)</legend>
          <div className="checks">
            {every.map((g) => (
              <label key={g.name}>
                <input type="checkbox" name="types" value={g.name} defaultChecked={chosen.has(g.name)} />{' '}
                {g.name} ({g.patients})
              </label>
            ))}
          </div>
        </fieldset>
        <p className="inline-form">
          <button type="submit" className="primary">
            Draw the ticked types
          </button>
          <Link href={survivalHref(id, largestGroups(every, DRAWN_TYPES))} className="button-link">
            The {Math.min(DRAWN_TYPES, every.length)} largest
          </Link>
          <Link href={survivalHref(id)} className="button-link">
            Every type
          </Link>
        </p>
      </form>
      {problem && (
        <p role="alert" className="error-box" data-testid="survival-error">
          {problem}
        </p>
      )}
      {every.length === 0 ? (
        <p className="empty">No patient of this cohort has a survival time.</p>
      ) : (
        <>
          <SurvivalFigure
            drawn={drawn}
            logRank={cohort.survival.logRank}
            across={across}
            missing={cohort.survival.missing}
          />
          <SurvivalTable groups={drawn} />
        </>
      )}
    </>
  );
}
