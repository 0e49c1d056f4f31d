// A row of headline figures (label and value), e.g. a cohort's sample count.
export interface Stat {
  label: string;
  value: string;
  testId?: string;
}

export function Stats(props: { items: Stat[]; label: string }) {
  return (
    <ul className="stats" aria-label={props.label}>
      {props.items.map((item) => (
        <li key={item.label}>
          <span className="value" data-testid={item.testId}>
            {item.value}
          </span>
          <span className="label">{item.label}</span>
        </li>
      ))}
    </ul>
  );
}
