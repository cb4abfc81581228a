import { z } from 'zod';
import { declareNode } from '../define-node';

export default declareNode({
  type: 'core.command',
  version: 1,
  category: 'core',
  capabilities: ['user-code'],
  title: 'Shell command',
  description:
    'Runs a command with `sh -c`. Fails on a non-zero exit with the tail of stderr; outputs the exit code and the ' +
    'last 64 KiB of stdout (and, with `outputJson`, stdout parsed as JSON, e.g. a list for a later node to map ' +
    'over). It runs user code, so an instance allows it only when the operator enables it (KILN_ALLOW_USER_CODE, ' +
    'for the roles in KILN_USER_CODE_ROLES). The command gets a clean environment: PATH, HOME, locale, ' +
    'KILN_RUN_ID, KILN_NODE_ID, KILN_ATTEMPT, KILN_TASK_QUEUE and its own `env`, nothing else of the worker’s; ' +
    'a root worker runs it as an unprivileged user (KILN_USER_CODE_USER), under `resources.memoryMb` as an ' +
    'address-space limit. Cancellation and timeouts kill its whole process group.',
  inputs: {},
  outputs: { exitCode: 'Json', stdout: 'Json', json: 'Json' },
  params: z.strictObject({
    command: z.string().min(1).describe('The command line, run by `sh -c`.'),
    env: z.record(z.string(), z.string()).optional().describe('Extra environment variables.'),
    cwd: z.string().optional().describe('Working directory (default: the worker’s).'),
    outputJson: z.boolean().default(false).describe('Parse stdout as JSON into the `json` output.'),
  }),
});
