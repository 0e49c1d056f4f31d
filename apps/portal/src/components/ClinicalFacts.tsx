// A patient's clinical attributes (as the clinical file gave them) as a definition list.
import type { PatientFactsFragment } from '../generated/graphql.ts';

export function ClinicalFacts(props: { patient: PatientFactsFragment; testId?: string }) {
  const values = props.patient.clinical;
  return (
    <section aria-labelledby="clinical" className="panel" data-testid={props.testId ?? 'clinical-facts'}>
      <h2 id="clinical">Clinical attributes</h2>
      {values.length === 0 ? (
        <p className="empty">
          No clinical attributes are stored for this patient (ingest a clinical table with `gexbert ingest
          clinical`).
        </p>
      ) : (
        <dl className="facts">
          {values.map((v) => (
            <div key={v.name} style={{ display: 'contents' }}>
              <dt>{v.name}</dt>
              <dd>
                {v.value}
                {v.type === 'NUMERIC' ? '' : <span className="muted"> ({v.type.toLowerCase()})</span>}
              </dd>
            </div>
          ))}
        </dl>
      )}
    </section>
  );
}
