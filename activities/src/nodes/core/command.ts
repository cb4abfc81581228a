import { z } from 'zod';
import { NodeFailure, defineNode } from '../../define-node';
import { runUserCode } from './user-code';

export const STDOUT_TAIL_BYTES = 64 * 1024;

export default defineNode({
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
  async run(ctx, _inputs, params) {
    const result = await runUserCode(ctx, params.command, {
      ...(params.env ? { env: params.env } : {}),
      ...(params.cwd ? { cwd: params.cwd } : {}),
      stdoutTailBytes: STDOUT_TAIL_BYTES,
      onLine: (line) => ctx.progress({ line: line.slice(0, 500) }),
    });
    if (result.exitCode !== 0) {
      const how = result.signal ? `was killed by ${result.signal}` : `exited with code ${result.exitCode}`;
      const tail = result.stderrTail.trim();
      throw new NodeFailure(`command ${how}${tail ? `: ${tail}` : ''}`, { type: 'CommandFailed' });
    }
    let json: unknown = null;
    if (params.outputJson) {
      try {
        json = JSON.parse(result.stdout);
      } catch (err) {
        const size = Buffer.byteLength(result.stdout);
        const why = size >= STDOUT_TAIL_BYTES ? ` (stdout is over ${STDOUT_TAIL_BYTES} bytes; only its tail is kept)` : '';
        throw new NodeFailure(`outputJson: stdout is not JSON${why}: ${(err as Error).message}`, {
          type: 'InvalidOutput',
          retryable: false,
        });
      }
    }
    return { outputs: { exitCode: result.exitCode, stdout: result.stdout, json } };
  },
});
