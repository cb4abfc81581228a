import { type Io, processIo } from './io';
import { RUN_USAGE, runCommand } from './commands/run';
import { VALIDATE_USAGE, validateCommand } from './commands/validate';
import { WORKER_USAGE, workerCommand } from './commands/worker';
import { UP_USAGE, upCommand } from './commands/up';
import { API_USAGE, apiCommand } from './commands/api';
import { APPLY_USAGE, applyCommand } from './commands/apply';
import { APPROVE_USAGE, approveCommand } from './commands/approve';
import { MIGRATE_USAGE, migrateCommand } from './commands/migrate';

const USAGE = `usage:
  ${UP_USAGE}
  ${VALIDATE_USAGE}
  ${RUN_USAGE}
  ${WORKER_USAGE}
  ${API_USAGE}
  ${APPLY_USAGE}
  ${APPROVE_USAGE}
  ${MIGRATE_USAGE}`;

/** Runs one `kiln` command line; returns the exit code. */
export async function main(argv: string[], io: Io = processIo): Promise<number> {
  const [command, ...args] = argv;
  switch (command) {
    case 'validate':
      return validateCommand(args, io);
    case 'run':
      return runCommand(args, io);
    case 'worker':
      return workerCommand(args, io);
    case 'up':
      return upCommand(args, io);
    case 'api':
      return apiCommand(args, io);
    case 'apply':
      return applyCommand(args, io);
    case 'approve':
      return approveCommand(args, io);
    case 'migrate':
      return migrateCommand(args, io);
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      io.out(USAGE);
      return command === undefined ? 2 : 0;
    default:
      io.err(`kiln: unknown command "${command}"\n${USAGE}`);
      return 2;
  }
}
