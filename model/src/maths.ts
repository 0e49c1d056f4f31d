/**
 * The pure maths a browser may take from the library: quantiles, correlation, mean and sd, and the pieces of
 * a Kaplan-Meier curve's confidence band, each the library's one definition (stats/, survival/). Everything
 * reachable from here is plain TypeScript with no I/O, tensors, model runtime or database, so the portal
 * imports @gexbert/model through this entry point only (apps/portal/test/sharedMaths.test.ts checks both).
 */
export { meanAndSd, pearson } from './stats/metrics.ts';
export { quantile, quantileOfSorted } from './stats/quantile.ts';
export { confidenceZ, greenwoodTerm, logScaleLimits } from './survival/kaplanMeier.ts';
