import { type Io, processIo } from './io';
import { API_USAGE, APPLY_USAGE, APPROVE_USAGE, LOGS_USAGE, MIGRATE_USAGE, RUN_USAGE, UP_USAGE, VALIDATE_USAGE, WORKER_USAGE } from './commands/usage';

type Command = (args: string[], io: Io) => Promise<number>;

/**
 * Each command, loaded when it runs: `kiln --help` and `kiln validate` must not pay for the API, the
 * workers or the ML stack (test/cli/built-cli.test.ts checks what they load).
 */
const COMMANDS = {
  validate: async () => (await import('./commands/validate')).validateCommand,
  run: async () => (await import('./commands/run')).runCommand,
  worker: async () => (await import('./commands/worker')).workerCommand,
  up: async () => (await import('./commands/up')).upCommand,
  api: async () => (await import('./commands/api')).apiCommand,
  apply: async () => (await import('./commands/apply')).applyCommand,
  approve: async () => (await import('./commands/approve')).approveCommand,
  logs: async () => (await import('./commands/logs')).logsCommand,
  migrate: async () => (await import('./commands/migrate')).migrateCommand,
} satisfies Record<string, () => Promise<Command>>;

/** Each command's usage line: `kiln <command> --help` prints it without loading the command. */
const USAGES: Record<keyof typeof COMMANDS, string> = {
  up: UP_USAGE,
  validate: VALIDATE_USAGE,
  run: RUN_USAGE,
  worker: WORKER_USAGE,
  api: API_USAGE,
  apply: APPLY_USAGE,
  approve: APPROVE_USAGE,
  logs: LOGS_USAGE,
  migrate: MIGRATE_USAGE,
};

const USAGE = `usage:\n${Object.values(USAGES)
  .map((line) => `  ${line}`)
  .join('\n')}`;

/** Runs one `kiln` command line; returns the exit code. */
export async function main(argv: string[], io: Io = processIo): Promise<number> {
  const [command, ...args] = argv;
  switch (command) {
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      io.out(USAGE);
      return command === undefined ? 2 : 0;
  }
  const load = Object.hasOwn(COMMANDS, command) ? COMMANDS[command as keyof typeof COMMANDS] : undefined;
  if (!load) {
    io.err(`kiln: unknown command "${command}"\n${USAGE}`);
    return 2;
  }
  if (args.includes('--help') || args.includes('-h')) {
    io.out(`usage: ${USAGES[command as keyof typeof COMMANDS]}`);
    return 0;
  }
  return (await load())(args, io);
}
