'use client';
// The dashboard's embedding map section: fetches the cohort's packed map (map.json, preloaded from the
// page's head) and draws it (EmbeddingMapSection); until then a status line, and the API's message if it fails.
// A map whose UMAP a worker is still placing (a large cohort made or changed since the precompute) is drawn by
// its PCA and fetched again every few seconds until the whole map is stored.
import { useEffect, useState } from 'react';
import { preload } from 'react-dom';
import { Loading } from '../../../components/Loading.tsx';
import { SectionFailure } from '../../../components/SectionFailure.tsx';
import type { LoadedMap } from '../../../lib/cohortModelPanels.ts';
import { EmbeddingMapSection } from './EmbeddingMapSection.tsx';

type State = { loading: true } | { loading: false; failed: string } | { loading: false; map: LoadedMap };

/** How often the map is asked for again while its UMAP is being placed. */
const UMAP_POLL_MS = 5000;

/** map.json of the cohort, through `model` when given (default: the active model). */
const mapUrl = (cohortId: string, model?: string) =>
  `/cohorts/${encodeURIComponent(cohortId)}/map.json${model ? `?model=${encodeURIComponent(model)}` : ''}`;

async function fetchMap(url: string, signal: AbortSignal): Promise<State> {
  const response = await fetch(url, { signal });
  if (!response.ok) return { loading: false, failed: (await response.text()).trim() || response.statusText };
  return { loading: false, map: (await response.json()) as LoadedMap };
}

export function EmbeddingMapPanel(props: { cohortId: string; model?: string }) {
  const url = mapUrl(props.cohortId, props.model);
  // Rendered on the server, this puts a preload of the map in the page's head: the browser fetches it while
  // the page streams, and the fetch below (same URL, same credentials mode) takes that response.
  preload(url, { as: 'fetch', crossOrigin: 'anonymous' });
  const [state, setState] = useState<State>({ loading: true });
  useEffect(() => {
    const abort = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    // While a worker places the UMAP the map is asked for again, the next time only once this one has landed.
    const load = () =>
      fetchMap(url, abort.signal).then(
        (next) => {
          setState(next);
          if ('map' in next && next.map.umapPlacing && !abort.signal.aborted)
            timer = setTimeout(load, UMAP_POLL_MS);
        },
        (error: unknown) => {
          if (!abort.signal.aborted)
            setState({ loading: false, failed: error instanceof Error ? error.message : String(error) });
        },
      );
    load();
    return () => {
      abort.abort();
      clearTimeout(timer);
    };
  }, [url]);
  if (state.loading) return <Loading what="Placing the cohort's samples on the embedding map…" />;
  if ('failed' in state) return <SectionFailure what="The embedding map" message={state.failed} />;
  return (
    <EmbeddingMapSection
      packed={state.map.map}
      modelName={state.map.modelName}
      umapPlacing={state.map.umapPlacing}
      awaitingPrecompute={state.map.awaitingPrecompute}
    />
  );
}
