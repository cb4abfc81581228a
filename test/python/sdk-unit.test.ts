// The Python SDK's own unit tests (sdk/python/tests, pytest in the SDK's venv), and the install a user
// does: `pip install ./sdk/python` gives a package whose worker command starts (built with the venv's
// pinned setuptools, the backend pyproject.toml names, rather than in pip's isolated build environment).
import { execFile } from 'node:child_process';
import { cpSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, expect, it } from 'vitest';
import { tempDir } from '../support/harness';
import { SDK_DIR, pythonEnv, sdkPython } from '../support/python-sdk';

const run = promisify(execFile);
let python: string;

beforeAll(async () => {
  python = await sdkPython();
}, 900_000);

it('passes its pytest suite', async () => {
  const result = await run(python, ['-m', 'pytest', '-q', '-p', 'no:cacheprovider', join(SDK_DIR, 'tests')], {
    env: pythonEnv([]),
  }).catch((err: { stdout: string; stderr: string }) => err);
  expect(result.stdout, `${result.stdout}\n${result.stderr}`).toMatch(/\d+ passed/);
  expect(result.stdout).not.toMatch(/failed|error/);
});

it('installs with pip from the repository', async () => {
  const target = tempDir('kiln-py-install-');
  // From a copy: setuptools builds in the source folder (build/, *.egg-info), which is not the test's to litter.
  const source = join(tempDir('kiln-py-source-'), 'python');
  cpSync(SDK_DIR, source, {
    recursive: true,
    filter: (path) => !/(__pycache__|\/build|egg-info)$/.test(path),
  });
  await run(
    python,
    [
      '-m',
      'pip',
      'install',
      '--quiet',
      '--disable-pip-version-check',
      '--no-deps',
      '--no-build-isolation',
      '--target',
      target,
      SDK_DIR,
    ],
    { maxBuffer: 16 * 1024 * 1024 },
  );
  // The installed copy (not the sources) answers: its worker command parses its arguments.
  const env = { ...pythonEnv([]), PYTHONPATH: target };
  const { stdout } = await run(python, ['-c', 'import kiln, sys; print(kiln.__file__)'], { env });
  expect(stdout.trim()).toBe(join(target, 'kiln/__init__.py'));
  const refused = await run(python, ['-m', 'kiln', 'worker', 'x', '--queue', 'cpu'], { env }).catch(
    (err: { code: number; stderr: string }) => err,
  );
  expect(refused).toMatchObject({
    code: 2,
    stderr: expect.stringContaining('--queue cpu: that queue is served by Kiln'),
  });
});
