// A cohort's clinical attributes, each drawn: numeric ones as a histogram, the others as category counts.
import { PlotFrame } from '../../../components/PlotFrame.tsx';
import { BarChart } from '../../../components/plots/BarChart.tsx';
import type { ClinicalAttributeSummaryFragment } from '../../../generated/graphql.ts';
import { attributeBars, attributeCaption } from '../../../lib/clinical.ts';

export function ClinicalSection(props: { attributes: ClinicalAttributeSummaryFragment[]; patients: number }) {
  const present = props.attributes.filter((a) => a.patients > 0);
  return (
    <section aria-labelledby="clinical-attributes" data-testid="clinical-section">
      <h2 id="clinical-attributes">Clinical attributes</h2>
      {present.length === 0 ? (
        <p className="empty">
          No clinical attributes are stored for this cohort's patients: ingest a clinical table with `gexbert
          ingest clinical`.
        </p>
      ) : (
        <div className="grid-2">
          {present.map((a) => (
            <PlotFrame
              key={a.name}
              title={a.name}
              caption={attributeCaption(a, props.patients)}
              testId={`clinical-plot-${a.name}`}
            >
              <BarChart
                bars={attributeBars(a)}
                label={`${a.name}: ${a.type === 'NUMERIC' ? 'histogram' : 'patients per value'}`}
                axisLabel="Patients"
              />
            </PlotFrame>
          ))}
        </div>
      )}
    </section>
  );
}
