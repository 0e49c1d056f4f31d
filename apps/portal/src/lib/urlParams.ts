// A view's state in the page URL, changed in place (history.replaceState: no round trip to the server, no
// history entry per click), so a copied link or a reload opens the same view.

/** Sets (or, for null, removes) query parameters of the current URL, keeping the others and the fragment. */
export function setUrlParams(values: Record<string, string | null>): void {
  const next = new URLSearchParams(window.location.search);
  for (const [name, value] of Object.entries(values)) {
    if (value === null) next.delete(name);
    else next.set(name, value);
  }
  const query = next.toString();
  window.history.replaceState(
    null,
    '',
    `${window.location.pathname}${query ? `?${query}` : ''}${window.location.hash}`,
  );
}
