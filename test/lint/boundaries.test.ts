// The package boundaries hold because lint fails on each kind of violation: a relative import into
// another package, an import cycle, an upward import between packages, a Node-only entry in browser
// code, and a test fixture imported by a package's src. Each probe is linted as if it sat at its path.
import { resolve } from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
// `ignore: false`: the cycle fixtures are left out of the normal lint (they are a deliberate violation).
const eslint = new ESLint({ cwd: ROOT, ignore: false });

async function problems(path: string, code: string): Promise<{ rule: string | null; message: string }[]> {
  const [result] = await eslint.lintText(code, { filePath: resolve(ROOT, path) });
  return result!.messages.map((m) => ({ rule: m.ruleId, message: m.message }));
}

describe('lint enforces the package boundaries', () => {
  it('refuses a relative import into another package, naming the package import to use', async () => {
    const found = await problems(
      'bench/probe.ts',
      "import { kilnHome } from '../engine/src/local/kiln-home';\nexport const h = kilnHome;\n",
    );
    expect(found).toEqual([
      {
        rule: 'import-x/no-relative-packages',
        message: expect.stringContaining('Relative import from another package'),
      },
    ]);
  });

  it('refuses an import cycle', async () => {
    const found = await problems(
      'test/lint/fixtures/cycle-a.ts',
      "import { b } from './cycle-b';\nexport const a = (): string => `a${b.length}`;\n",
    );
    expect(found).toEqual([{ rule: 'import-x/no-cycle', message: 'Dependency cycle detected' }]);
  });

  it.each([
    ['engine/src/probe.ts', '@kiln/nodes', 'engine imports no other Kiln package'],
    ['ml/src/probe.ts', '@kiln/engine', 'ml imports no other Kiln package'],
    ['nodes/src/probe.ts', '@kiln/worker', 'nodes may import only @kiln/engine, @kiln/api-types, @kiln/artifacts, @kiln/tabular, @kiln/ml, @kiln/serving'],
    ['serving/src/probe.ts', '@kiln/nodes', 'serving may import only @kiln/engine'],
    ['db/src/probe.ts', '@kiln/artifacts', 'db may import only @kiln/engine'],
    ['api/src/probe.ts', '@kiln/cli', 'api may import only'],
    ['studio/src/probe.ts', '@kiln/db', 'studio may import only @kiln/engine, @kiln/api-types'],
  ])('refuses an upward import: %s importing %s', async (path, target, says) => {
    const found = await problems(path, `import * as m from '${target}';\nexport const x = m;\n`);
    expect(found).toEqual([{ rule: 'no-restricted-imports', message: expect.stringContaining(says) }]);
  });

  it("keeps the studio to the engine's browser-safe root entry", async () => {
    const found = await problems(
      'studio/src/probe.ts',
      "import { startDevServer } from '@kiln/engine/temporal';\nexport const s = startDevServer;\n",
    );
    expect(found).toEqual([
      { rule: 'no-restricted-imports', message: expect.stringContaining('browser-safe') },
    ]);
  });

  it("keeps test fixtures out of a package's src", async () => {
    const found = await problems(
      'api/src/probe.ts',
      "import { testContext } from '@kiln/nodes/testing';\nexport const t = testContext;\n",
    );
    expect(found).toEqual([
      { rule: 'no-restricted-imports', message: expect.stringContaining('test fixture') },
    ]);
  });

  it('accepts the allowed directions', async () => {
    expect(
      await problems(
        'api/src/probe.ts',
        "import { catalog } from '@kiln/nodes/catalog';\nimport { pipeline } from '@kiln/engine';\nexport const x = [catalog, pipeline];\n",
      ),
    ).toEqual([]);
    expect(
      await problems(
        'bench/probe.ts',
        "import { startApiProcess } from '@kiln/test/support/api-process';\nexport const s = startApiProcess;\n",
      ),
    ).toEqual([]);
  });
});
