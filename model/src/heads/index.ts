/**
 * `@gexbert/model/heads`, what the services and the CLI use of the prediction heads on GexBERT sample
 * embeddings (cancer type: multinomial logistic regression; survival risk: PCA + ridge Cox): a checkpoint's
 * fitted heads (`heads.json`: fit, its stored panel head sets, parse, read, write, its model card section),
 * the server that answers them beside the checkpoint (`HeadServer`), and the two heads' predictions on a
 * stored head.
 */
export { type CancerTypeProbability, predictCancerType } from './cancerType.ts';
export { writeHeadsCard } from './card.ts';
export { fitCheckpointHeads, fitCheckpointPanels } from './fitCheckpoint.ts';
export type { HeadSet } from './headSet.ts';
export {
  fitModelHeads,
  HEADS_FILE,
  type ModelHeads,
  parseModelHeads,
  readModelHeads,
  toStored,
  withoutPanels,
  withPanelHeadSets,
  writeModelHeads,
} from './modelHeads.ts';
export { type PanelHeadSet, unitPanels } from './panels.ts';
export type { HeadReference } from './reference.ts';
export { MIN_EVENTS, percentileOfSorted, riskScore } from './risk.ts';
export { HeadServer, type SamplePrediction } from './serve.ts';
