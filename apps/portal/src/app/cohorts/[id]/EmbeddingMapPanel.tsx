'use client';
// The dashboard's embedding map section: fetches the cohort's packed map (map.json, preloaded from the
// page's head) and draws it (EmbeddingMapSection); until then a status line, and the API's message if it fails.
import { useEffect, useState } from 'react';
import { preload } from 'react-dom';
import { Loading } from '../../../components/Loading.tsx';
import { SectionFailure } from '../../../components/SectionFailure.tsx';
import type { LoadedMap } from '../../../lib/cohortModelPanels.ts';
import { EmbeddingMapSection } from './EmbeddingMapSection.tsx';

type State = { loading: true } | { loading: false; failed: string } | { loading: false; map: LoadedMap };

const mapUrl = (cohortId: string) => `/cohorts/${encodeURIComponent(cohortId)}/map.json`;

async function fetchMap(cohortId: string, signal: AbortSignal): Promise<State> {
  const response = await fetch(mapUrl(cohortId), { signal });
  if (!response.ok) return { loading: false, failed: (await response.text()).trim() || response.statusText };
  return { loading: false, map: (await response.json()) as LoadedMap };
}

export function EmbeddingMapPanel(props: { cohortId: string }) {
  // Rendered on the server, this puts a preload of the map in the page's head: the browser fetches it while
  // the page streams, and the fetch below (same URL, same credentials mode) takes that response.
  preload(mapUrl(props.cohortId), { as: 'fetch', crossOrigin: 'anonymous' });
  const [state, setState] = useState<State>({ loading: true });
  useEffect(() => {
    const abort = new AbortController();
    fetchMap(props.cohortId, abort.signal).then(setState, (error: unknown) => {
      if (!abort.signal.aborted)
        setState({ loading: false, failed: error instanceof Error ? error.message : String(error) });
    });
    return () => abort.abort();
  }, [props.cohortId]);
  if (state.loading) return <Loading what="Placing the cohort's samples on the embedding map…" />;
  if ('failed' in state) return <SectionFailure what="The embedding map" message={state.failed} />;
  return <EmbeddingMapSection packed={state.map.map} modelName={state.map.modelName} />;
}
