import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ensurePythonVenv, isExecutable, venvPython, withLock } from './python-venv';

const tools = mkdtempSync(join(tmpdir(), 'kiln-venv-test-'));
process.env.KILN_TOOLS_DIR = tools;
afterAll(() => rmSync(tools, { recursive: true, force: true }));

describe('ensurePythonVenv', () => {
  it('creates one venv for concurrent callers, then reuses it', async () => {
    const [a, b] = await Promise.all([
      ensurePythonVenv({ name: 'shared-venv', requirements: [] }),
      ensurePythonVenv({ name: 'shared-venv', requirements: [] }),
    ]);
    expect(a).toBe(join(tools, 'shared-venv'));
    expect(b).toBe(a);
    expect(isExecutable(venvPython(a))).toBe(true);
    expect(existsSync(join(tools, 'shared-venv.lock')), 'the lock is released').toBe(false);
    // Requirements already recorded as installed are not installed again (pip is not run).
    writeFileSync(join(a, 'kiln-requirements.txt'), 'not-a-real-package==0.0.0\n');
    const logged: string[] = [];
    await ensurePythonVenv({ name: 'shared-venv', requirements: ['not-a-real-package==0.0.0'], log: (l) => logged.push(l) });
    expect(logged).toEqual([]);
    expect(readFileSync(join(a, 'kiln-requirements.txt'), 'utf8')).toBe('not-a-real-package==0.0.0\n');
  });

  it('names the venv and the requirement when pip cannot install it', async () => {
    await expect(
      ensurePythonVenv({ name: 'shared-venv', requirements: ['./no-such-local-package-dir'] }),
    ).rejects.toThrow('could not install ./no-such-local-package-dir with ');
    await expect(
      ensurePythonVenv({ name: 'shared-venv', requirements: ['./no-such-local-package-dir'] }),
    ).rejects.toThrow(`-m venv + pip into ${join(tools, 'shared-venv')}`);
    expect(readFileSync(join(tools, 'shared-venv', 'kiln-requirements.txt'), 'utf8')).not.toContain('no-such');
  });
});

describe('withLock', () => {
  it('runs one holder at a time', async () => {
    const lock = join(tools, 'test.lock');
    const order: string[] = [];
    await Promise.all(
      ['a', 'b', 'c'].map((name) =>
        withLock(lock, async () => {
          order.push(`${name}+`);
          await new Promise((r) => setTimeout(r, 20));
          order.push(`${name}-`);
        }),
      ),
    );
    for (let i = 0; i < order.length; i += 2) expect(order[i]!.slice(0, 1)).toBe(order[i + 1]!.slice(0, 1));
  });
});
