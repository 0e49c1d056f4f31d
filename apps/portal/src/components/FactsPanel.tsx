// A record's facts (a sample's, a patient's) as a panel holding a definition list, titled for screen readers.
import type { ReactNode } from 'react';

export function FactsPanel(props: { id: string; title: string; children: ReactNode }) {
  return (
    <section aria-labelledby={props.id} className="panel">
      <h2 id={props.id} className="visually-hidden">
        {props.title}
      </h2>
      <dl className="facts">{props.children}</dl>
    </section>
  );
}
