// gexbert: the platform's command line. `gexbert --help` lists every command.
import { stopEmbeddedServers } from '@gexbert/core/db/postgres';
import { Command } from 'commander';

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

const program = new Command('gexbert')
  .description('GexBERT Platform: bulk RNA-seq in PostgreSQL, a transformer model over it.')
  .showHelpAfterError()
  .configureHelp({ showGlobalOptions: true });

type Register = (program: Command) => void;

// Each command's module, loaded only when it is the command run: they import the API server, the model
// runtime, the training engine, …, which cost seconds of start-up a command that needs none of them would
// pay. Help, an unknown command or none at all registers every module, in this (the help's) order.
const COMMANDS: [names: string[], load: () => Promise<Register>][] = [
  [['start'], async () => (await import('./commands/start.ts')).registerStart],
  [['ingest'], async () => (await import('./commands/ingest.ts')).registerIngest],
  [['simulate'], async () => (await import('./commands/simulate.ts')).registerSimulate],
  [['train'], async () => (await import('./commands/train.ts')).registerTrain],
  [['evaluate'], async () => (await import('./commands/evaluate.ts')).registerEvaluate],
  [['predict'], async () => (await import('./commands/predict.ts')).registerPredict],
  [['heads'], async () => (await import('./commands/heads.ts')).registerHeads],
  [['db'], async () => (await import('./commands/db.ts')).registerDb],
  [['token'], async () => (await import('./commands/token.ts')).registerToken],
  [['worker', 'retrain'], async () => (await import('./commands/worker.ts')).registerWorker],
  [['runs'], async () => (await import('./commands/runs.ts')).registerRuns],
];
const named = COMMANDS.filter(([names]) => names.includes(process.argv[2] ?? ''));
for (const [, load] of named.length > 0 ? named : COMMANDS) (await load())(program);

await program.parseAsync(process.argv);
