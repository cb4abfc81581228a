import { NodeFailure, defineNode } from '../define-node';
import { runUserCode } from './user-code';
import declaration from './command.decl';

export const STDOUT_TAIL_BYTES = 64 * 1024;
/** Lines of stdout a failure message repeats (the log has them all). */
const STDOUT_LINES_IN_FAILURE = 10;

export default defineNode({
  ...declaration,
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
      // The whole output is in the attempt's log; the failure carries the last lines of both streams.
      const stdout = result.stdout.trimEnd().split('\n').slice(-STDOUT_LINES_IN_FAILURE).join('\n').slice(-2000);
      const parts = [tail, stdout ? `stdout (last lines):\n${stdout}` : ''].filter(Boolean).join('\n');
      throw new NodeFailure(`command ${how}${parts ? `: ${parts}` : ''}`, { type: 'CommandFailed' });
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
