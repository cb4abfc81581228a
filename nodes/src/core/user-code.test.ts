import { mkdtemp, readFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { testContext } from '../shared/test-context';
import { runUserCode, userCodeEnv } from './user-code';

const isRoot = process.getuid?.() === 0;

describe('user code', () => {
  it('starts from PATH, HOME, locale and the run variables only', () => {
    const worker = {
      PATH: '/bin',
      LANG: 'C.UTF-8',
      LC_ALL: 'C',
      TZ: 'UTC',
      HOME: '/root',
      KILN_ADMIN_TOKEN: 'kiln_x',
      KILN_SERVICE_TOKEN: 'kiln_y',
      DATABASE_URL: 'postgres://u:p@h/db',
      S3_SECRET_KEY: 's',
      AWS_SECRET_ACCESS_KEY: 's',
      LD_PRELOAD: '/evil.so',
    };
    expect(userCodeEnv(testContext({ attempt: 2 }), '/home/x', worker)).toEqual({
      PATH: '/bin',
      LANG: 'C.UTF-8',
      LC_ALL: 'C',
      TZ: 'UTC',
      HOME: '/home/x',
      KILN_RUN_ID: 'run-1',
      KILN_NODE_ID: 'n',
      KILN_ATTEMPT: '2',
      KILN_TASK_QUEUE: 'cpu',
    });
    // A node holding cores tells the program how many threads to use.
    expect(userCodeEnv(testContext({ cpus: 2.5 }), '/h', {})).toMatchObject({ KILN_CPUS: '2.5', OMP_NUM_THREADS: '2', OPENBLAS_NUM_THREADS: '2', MKL_NUM_THREADS: '2' });
    expect(userCodeEnv(testContext({ cpus: 0.5 }), '/h', {})).toMatchObject({ KILN_CPUS: '0.5', OMP_NUM_THREADS: '1' });
  });

  it('adds the node’s env, then its contract variables', async () => {
    process.env.KILN_API_TOKEN = 'kiln_secret';
    try {
      const r = await runUserCode(testContext(), 'env', {
        env: { A: '1', KILN_OUTPUT_DIR: 'mine' },
        contract: { KILN_OUTPUT_DIR: '/out' },
        stdoutTailBytes: 10_000,
      });
      const vars = Object.fromEntries(
        r.stdout
          .trim()
          .split('\n')
          .map((l) => l.split(/=(.*)/s).slice(0, 2)),
      );
      expect(vars).toMatchObject({ A: '1', KILN_OUTPUT_DIR: '/out', KILN_RUN_ID: 'run-1' });
      expect(
        Object.keys(vars)
          .filter((k) => !['PWD', 'SHLVL', '_', 'OLDPWD'].includes(k))
          .sort(),
      ).toEqual(Object.keys({ ...userCodeEnv(testContext(), '/'), A: '', KILN_OUTPUT_DIR: '' }).sort());
    } finally {
      delete process.env.KILN_API_TOKEN;
    }
  });

  it.skipIf(!isRoot)(
    'runs as the unprivileged account with a home of its own, under the memory limit',
    async () => {
      // Directly under the temp folder, as the worker's scratch folders are (the test context's own sit in a private folder).
      const scratch = mkdtemp(join(tmpdir(), 'kiln-user-code-test-'));
      const ctx = testContext({
        scratchDir: () => scratch,
        userCode: { runAs: { name: 'nobody', uid: 65534, gid: 65534 }, memoryMb: 100 },
      });
      const r = await runUserCode(ctx, 'id -u; echo hi > "$HOME/f"; echo "$HOME"; ulimit -v', {
        stdoutTailBytes: 1000,
      });
      const [uid, home, limit] = r.stdout.trim().split('\n');
      expect([uid, limit]).toEqual(['65534', String(100 * 1024)]);
      expect(home).toBe(join(await ctx.scratchDir(), 'home'));
      expect(await readFile(join(home!, 'f'), 'utf8')).toBe('hi\n');
      expect((await stat(await ctx.scratchDir())).mode & 0o777).toBe(0o711);
    },
  );
});
