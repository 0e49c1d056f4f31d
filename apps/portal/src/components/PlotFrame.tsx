'use client';
// A figure around one plot: its title, the plot (an <svg>), a caption and SVG / PNG download buttons.
import { type ReactNode, useId, useRef, useState } from 'react';
import { downloadPng, downloadSvg } from '../lib/download.ts';
import { fileSlug } from '../lib/tsv.ts';

export function PlotFrame(props: {
  title: string;
  caption?: ReactNode;
  children: ReactNode;
  testId?: string;
}) {
  const holder = useRef<HTMLDivElement>(null);
  const [error, setError] = useState<string | null>(null);
  const titleId = useId();
  const svg = () => holder.current?.querySelector('svg') ?? null;
  const name = fileSlug(props.title);
  const save = async (kind: 'svg' | 'png') => {
    const element = svg();
    if (!element) return;
    setError(null);
    try {
      if (kind === 'svg') downloadSvg(element, `${name}.svg`);
      else await downloadPng(element, `${name}.png`);
    } catch (e) {
      setError((e as Error).message);
    }
  };
  return (
    <figure className="plot" aria-labelledby={titleId} data-testid={props.testId}>
      <div className="plot-head">
        <h3 id={titleId}>{props.title}</h3>
        <div className="actions">
          <button
            type="button"
            onClick={() => void save('svg')}
            aria-label={`Download ${props.title} as SVG`}
          >
            SVG
          </button>
          <button
            type="button"
            onClick={() => void save('png')}
            aria-label={`Download ${props.title} as PNG`}
          >
            PNG
          </button>
        </div>
      </div>
      <div ref={holder} className="plot-body">
        {props.children}
      </div>
      {error && (
        <p role="alert" className="error-text">
          {error}
        </p>
      )}
      {props.caption && <figcaption>{props.caption}</figcaption>}
    </figure>
  );
}
