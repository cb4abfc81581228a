import { describe, expect, it } from 'vitest';
import { runShell } from './run-shell';

const never = new AbortController().signal;

describe('runShell', () => {
  it('keeps only the tail of a large stdout, cut at a character boundary', async () => {
    const r = await runShell(`i=0; while [ $i -lt 3000 ]; do echo "line $i é"; i=$((i+1)); done`, { signal: never, stdoutTailBytes: 1000 });
    expect(r.exitCode).toBe(0);
    expect(Buffer.byteLength(r.stdout)).toBeLessThanOrEqual(1000);
    expect(r.stdout.endsWith('line 2999 é\n')).toBe(true);
    expect(r.stdout).not.toContain('\uFFFD');
  });

  it('reports the exit code, the stderr tail, env and cwd', async () => {
    const r = await runShell('echo "$GREETING from $(pwd)" >&2; exit 3', {
      signal: never,
      env: { GREETING: 'hello' },
      cwd: '/tmp',
      stdoutTailBytes: 100,
    });
    expect(r).toMatchObject({ exitCode: 3, stderrTail: 'hello from /tmp\n' });
  });

  it('passes each stdout line to onLine', async () => {
    const lines: string[] = [];
    await runShell('printf "a\\nb\\nc"; echo; echo d', { signal: never, stdoutTailBytes: 100, onLine: (l) => lines.push(l) });
    expect(lines).toEqual(['a', 'b', 'c', 'd']);
  });

  it('on abort, kills the whole process group and rejects with the reason', async () => {
    const c = new AbortController();
    const started = Date.now();
    const run = runShell('sleep 30 & sleep 30 & wait', { signal: c.signal, stdoutTailBytes: 100 });
    setTimeout(() => c.abort(new Error('stop now')), 200);
    await expect(run).rejects.toThrow('stop now');
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('uses SIGKILL on a group that ignores SIGTERM', async () => {
    const c = new AbortController();
    const run = runShell("trap '' TERM; sleep 30 & wait", { signal: c.signal, stdoutTailBytes: 100, killGraceMs: 300 });
    setTimeout(() => c.abort(new Error('gone')), 200);
    await expect(run).rejects.toThrow('gone');
  });
});
