// gexbert: the platform's command line. `gexbert --help` lists every command.
import { stopEmbeddedServers } from '@gexbert/core/db/postgres';
import { Command } from 'commander';
import { registerDb } from './commands/db.ts';
import { registerEvaluate } from './commands/evaluate.ts';
import { registerHeads } from './commands/heads.ts';
import { registerIngest } from './commands/ingest.ts';
import { registerPredict } from './commands/predict.ts';
import { registerRuns } from './commands/runs.ts';
import { registerSimulate } from './commands/simulate.ts';
import { registerStart } from './commands/start.ts';
import { registerToken } from './commands/token.ts';
import { registerTrain } from './commands/train.ts';
import { registerWorker } from './commands/worker.ts';

const program = new Command('gexbert')
  .description('GexBERT Platform: bulk RNA-seq in PostgreSQL, a transformer model over it.')
  .showHelpAfterError()
  .configureHelp({ showGlobalOptions: true });

registerStart(program);
registerIngest(program);
registerSimulate(program);
registerTrain(program);
registerEvaluate(program);
registerPredict(program);
registerHeads(program);
registerDb(program);
registerToken(program);
registerWorker(program);
registerRuns(program);

// Ctrl-C during a command: stop any PostgreSQL this process started, then exit as interrupted.
// (`gexbert start` installs its own handlers: for it, Ctrl-C is the normal way to stop.)
for (const [signal, code] of [
  ['SIGINT', 130],
  ['SIGTERM', 143],
] as const) {
  process.on(signal, () => {
    if (process.listenerCount(signal) > 1) return;
    void stopEmbeddedServers().finally(() => process.exit(code));
  });
}

await program.parseAsync(process.argv);
