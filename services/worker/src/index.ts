// @gexbert/worker: the training worker (retraining jobs, recovery of dead workers' runs, the threshold trigger).
export { evaluateGate, type GateRecord } from './gate.ts';
export { recoverStaleRuns } from './recovery.ts';
export { runTrainingJob } from './trainingJob.ts';
export { checkRetrainThreshold } from './trigger.ts';
export { type RunningWorker, startWorker, type WorkerPlatform } from './worker.ts';
