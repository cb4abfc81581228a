import { z } from 'zod';
import { NodeFailure, defineNode } from '../../define-node';
import { runShell } from './run-shell';

export const STDOUT_TAIL_BYTES = 64 * 1024;

export default defineNode({
  type: 'core.command',
  version: 1,
  category: 'core',
  title: 'Shell command',
  description:
    'Runs a command with `sh -c`. Fails on a non-zero exit with the tail of stderr; outputs the exit code and the ' +
    'last 64 KiB of stdout. Cancellation and timeouts kill its whole process group.',
  inputs: {},
  outputs: { exitCode: 'Json', stdout: 'Json' },
  params: z.strictObject({
    command: z.string().min(1).describe('The command line, run by `sh -c`.'),
    env: z.record(z.string(), z.string()).optional().describe('Extra environment variables.'),
    cwd: z.string().optional().describe('Working directory (default: the worker’s).'),
  }),
  async run(ctx, _inputs, params) {
    const result = await runShell(params.command, {
      signal: ctx.signal,
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
    return { outputs: { exitCode: result.exitCode, stdout: result.stdout } };
  },
});
