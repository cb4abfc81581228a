import { z } from 'zod';
import { declareNode } from '../../define-node';

export default declareNode({
  type: 'core.command',
  version: 1,
  category: 'core',
  title: 'Shell command',
  description:
    'Runs a command with `sh -c`. Fails on a non-zero exit with the tail of stderr; outputs the exit code and the ' +
    'last 64 KiB of stdout (and, with `outputJson`, stdout parsed as JSON, e.g. a list for a later node to map ' +
    'over). The command sees KILN_RUN_ID, KILN_NODE_ID, KILN_ATTEMPT and KILN_TASK_QUEUE. Cancellation and ' +
    'timeouts kill its whole process group.',
  inputs: {},
  outputs: { exitCode: 'Json', stdout: 'Json', json: 'Json' },
  params: z.strictObject({
    command: z.string().min(1).describe('The command line, run by `sh -c`.'),
    env: z.record(z.string(), z.string()).optional().describe('Extra environment variables.'),
    cwd: z.string().optional().describe('Working directory (default: the worker’s).'),
    outputJson: z.boolean().default(false).describe('Parse stdout as JSON into the `json` output.'),
  }),
});
