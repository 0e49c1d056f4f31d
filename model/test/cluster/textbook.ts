// Average linkage as a textbook states it, an independent check of model/src/cluster/hierarchical.ts for the
// clustering tests (unit and API).

/**
 * Average linkage the slow way, as a textbook states it: merge the two clusters whose members' mean pairwise
 * distance (from the original distances) is smallest; the merge heights, lowest first, and each merge's members.
 */
export function bruteForce(n: number, d: Float64Array): { height: number; members: number[] }[] {
  let clusters = Array.from({ length: n }, (_, i) => [i]);
  const out: { height: number; members: number[] }[] = [];
  while (clusters.length > 1) {
    let best = { p: 0, q: 1, mean: Number.POSITIVE_INFINITY };
    for (let p = 0; p < clusters.length; p++)
      for (let q = p + 1; q < clusters.length; q++) {
        let sum = 0;
        for (const i of clusters[p]!) for (const j of clusters[q]!) sum += d[i * n + j]!;
        const mean = sum / (clusters[p]!.length * clusters[q]!.length);
        if (mean < best.mean) best = { p, q, mean };
      }
    const merged = [...clusters[best.p]!, ...clusters[best.q]!].sort((a, b) => a - b);
    out.push({ height: best.mean, members: merged });
    clusters = [...clusters.filter((_, k) => k !== best.p && k !== best.q), merged];
  }
  return out;
}

/** The leaves under each merge of a clustering (in its items' numbering). */
export function mergeMembers(order: number[], merges: { left: number; right: number }[]): number[][] {
  const n = order.length;
  const under: number[][] = [];
  const leaves = (x: number): number[] => (x < n ? [order[x]!] : under[x - n]!);
  for (const m of merges) under.push([...leaves(m.left), ...leaves(m.right)].sort((a, b) => a - b));
  return under;
}
