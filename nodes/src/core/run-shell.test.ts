import { describe, expect, it } from 'vitest';
import { runShell } from './run-shell';

const never = new AbortController().signal;
const env = { PATH: process.env.PATH ?? '/usr/bin:/bin' };
const isRoot = process.getuid?.() === 0;

describe('runShell', () => {
  it('keeps only the tail of a large stdout, cut at a character boundary', async () => {
    const r = await runShell(`i=0; while [ $i -lt 3000 ]; do echo "line $i é"; i=$((i+1)); done`, { signal: never, env, stdoutTailBytes: 1000 });
    expect(r.exitCode).toBe(0);
    expect(Buffer.byteLength(r.stdout)).toBeLessThanOrEqual(1000);
    expect(r.stdout.endsWith('line 2999 é\n')).toBe(true);
    expect(r.stdout).not.toContain('\uFFFD');
  });

  it('reports the exit code, the stderr tail, env and cwd', async () => {
    const r = await runShell('echo "$GREETING from $(pwd)" >&2; exit 3', {
      signal: never,
      env: { ...env, GREETING: 'hello' },
      cwd: '/tmp',
      stdoutTailBytes: 100,
    });
    expect(r).toMatchObject({ exitCode: 3, stderrTail: 'hello from /tmp\n' });
  });

  it('passes each stdout line to onLine', async () => {
    const lines: string[] = [];
    await runShell('printf "a\\nb\\nc"; echo; echo d', { signal: never, env, stdoutTailBytes: 100, onLine: (l) => lines.push(l) });
    expect(lines).toEqual(['a', 'b', 'c', 'd']);
  });

  it('on abort, kills the whole process group and rejects with the reason', async () => {
    const c = new AbortController();
    const started = Date.now();
    const run = runShell('sleep 30 & sleep 30 & wait', { signal: c.signal, env, stdoutTailBytes: 100 });
    setTimeout(() => c.abort(new Error('stop now')), 200);
    await expect(run).rejects.toThrow('stop now');
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('uses SIGKILL on a group that ignores SIGTERM', async () => {
    const c = new AbortController();
    const run = runShell("trap '' TERM; sleep 30 & wait", { signal: c.signal, env, stdoutTailBytes: 100, killGraceMs: 300 });
    setTimeout(() => c.abort(new Error('gone')), 200);
    await expect(run).rejects.toThrow('gone');
  });

  it('gives the command only the environment it is handed', async () => {
    process.env.KILN_TEST_SECRET = 'leak';
    try {
      const r = await runShell('env', { signal: never, env: { ...env, ONLY: 'this' }, stdoutTailBytes: 10_000 });
      expect(r.stdout).toContain('ONLY=this');
      expect(r.stdout).not.toContain('KILN_TEST_SECRET');
    } finally {
      delete process.env.KILN_TEST_SECRET;
    }
  });

  it('limits the address space: an allocation over memoryMb fails, the same under a larger limit works', async () => {
    const hungry = `python3 -c "b = bytearray(256 * 1024 * 1024); print('allocated')"`;
    const limited = await runShell(hungry, { signal: never, env, stdoutTailBytes: 100, memoryMb: 128 });
    expect(limited.exitCode).not.toBe(0);
    expect(limited.stderrTail).toContain('MemoryError');
    const roomy = await runShell(hungry, { signal: never, env, stdoutTailBytes: 100, memoryMb: 1024 });
    expect(roomy).toMatchObject({ exitCode: 0, stdout: 'allocated\n' });
  });

  it('passes the command as an argument under a limit, never spliced into the limiting script', async () => {
    const r = await runShell(`echo "$0" '"quoted" $1'; ulimit -v`, { signal: never, env, stdoutTailBytes: 100, memoryMb: 64 });
    expect(r).toMatchObject({ exitCode: 0, stdout: `sh "quoted" $1\n${64 * 1024}\n` });
  });

  it.skipIf(!isRoot)('runs as the given account, without the groups of root', async () => {
    const r = await runShell('id -u; id -g; id -G; touch /root/kiln-should-not-exist 2>/dev/null || echo refused', {
      signal: never,
      env,
      stdoutTailBytes: 1000,
      user: { uid: 65534, gid: 65534 },
    });
    expect(r.stdout.split('\n').slice(0, 4)).toEqual(['65534', '65534', '65534', 'refused']);
  });
});

