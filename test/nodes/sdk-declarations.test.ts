// A node package outside this checkout typechecks against @kiln/sdk's declaration files (built by
// `npm run build`) with a tsconfig of its own: no `customConditions`, no Kiln sources compiled with
// its options, for the two resolutions a project picks today (bundler and NodeNext).
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildIsCurrent } from '@kiln/cli/build-state';

const ROOT = resolve(import.meta.dirname, '../..');
const TSC = createRequire(import.meta.url).resolve('typescript/bin/tsc');

/** The node of docs/write-a-node.md, and a test helper's use of it. */
const SCALE = `import { defineNode, readRows, writeRows, z } from '@kiln/sdk';

export const scale = defineNode({
  type: 'acme.scale',
  version: 1,
  category: 'acme',
  title: 'Scale a column',
  description: 'Multiplies a numeric column by a factor.',
  capabilities: [],
  inputs: { dataset: 'Dataset' },
  outputs: { dataset: 'Dataset' },
  params: z.object({ column: z.string(), factor: z.number().default(2) }).strict(),
  async run(ctx, { dataset }, { column, factor }) {
    const rows = await readRows(ctx, dataset);
    ctx.log.info(\`scaling \${rows.length} rows\`);
    return { outputs: { dataset: await writeRows(ctx, rows.map((r) => ({ ...r, [column]: (r[column] as number) * factor }))) } };
  },
});
`;
const USE = `import { runNode, testContext } from '@kiln/sdk/testing';
import { writeRows, type DatasetValue } from '@kiln/sdk';
import { scale } from './scale${'EXT'}';

export async function scaled(): Promise<DatasetValue> {
  const ctx = testContext();
  const dataset = await writeRows(ctx, [{ x: 1 }]);
  const { outputs } = await runNode(scale, { ctx, inputs: { dataset }, params: { column: 'x' } });
  return outputs.dataset;
}
`;
/** Mistakes the declarations must catch (were the types `any`, none would be reported). */
const WRONG = `import { defineNode, z } from '@kiln/sdk';
import { runNode } from '@kiln/sdk/testing';

export const wrong = defineNode({
  type: 'acme.wrong',
  version: 1,
  category: 'acme',
  title: 'Wrong',
  description: 'Gets its types wrong.',
  capabilities: [],
  inputs: {},
  outputs: { metrics: 'Metrics' },
  params: z.object({ factor: z.number() }),
  async run(ctx, _inputs, { factor }) {
    ctx.log.info(factor.toUpperCase());
    return { outputs: { metrics: 42 } };
  },
});

export const called = runNode(wrong, { params: { factor: 'two' } });
`;

/** tsc's plain diagnostics (`file(line,col): error TS…`): under CI it would print its pretty ones. */
const tsc = (dir: string) =>
  promisify(execFile)(process.execPath, [TSC, '-p', dir, '--pretty', 'false'], { cwd: dir }).then(
    () => ({ code: 0, out: '' }),
    (err: { code: number; stdout: string }) => ({ code: err.code, out: err.stdout }),
  );

/** A package of one's own, as docs/write-a-node.md makes it: `npm install /path/to/kiln/sdk/ts` links the SDK. */
function nodePackage(resolution: 'bundler' | 'nodenext', files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), `kiln-sdk-types-${resolution}-`));
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'acme-nodes', type: 'module', exports: './src/index.ts' }));
  mkdirSync(join(dir, 'node_modules/@kiln'), { recursive: true });
  symlinkSync(join(ROOT, 'sdk/ts'), join(dir, 'node_modules/@kiln/sdk'), 'dir');
  const module = resolution === 'bundler' ? { module: 'ESNext', moduleResolution: 'bundler' } : { module: 'NodeNext', moduleResolution: 'NodeNext' };
  const compilerOptions = { target: 'ES2022', ...module, strict: true, noEmit: true, skipLibCheck: true, types: [] };
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions, include: ['src'] }));
  mkdirSync(join(dir, 'src'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, 'src', name), text.replace('EXT', resolution === 'nodenext' ? '.js' : ''));
  return dir;
}

beforeAll(async () => {
  // CI builds before the tests (.ci/run); in the dev loop this builds when the sources are newer.
  if (!buildIsCurrent(pathToFileURL(`${ROOT}/`))) await promisify(execFile)(process.execPath, ['scripts/build.mjs'], { cwd: ROOT });
}, 600_000);

describe.each(['bundler', 'nodenext'] as const)('@kiln/sdk declarations, moduleResolution %s', (resolution) => {
  it('typecheck the documented node and its test helper', async () => {
    const result = await tsc(nodePackage(resolution, { 'scale.ts': SCALE, 'use.ts': USE }));
    expect(result.out).toBe('');
    expect(result.code).toBe(0);
  }, 120_000);

  it('report a param used as the wrong type, an output of the wrong shape and a bad param to runNode', async () => {
    const result = await tsc(nodePackage(resolution, { 'wrong.ts': WRONG }));
    expect(result.code).not.toBe(0);
    expect(result.out).toMatch(/wrong\.ts\(15,\d+\): error TS2339: Property 'toUpperCase' does not exist on type 'number'/);
    expect(result.out).toMatch(/wrong\.ts\(14,\d+\): error TS2322:[^]*The types of 'outputs\.metrics' are incompatible[^]*Type 'number' is not assignable to type '\{ task:/);
    expect(result.out).toMatch(/wrong\.ts\(20,\d+\): error TS2322: Type 'string' is not assignable to type 'number'/);
  }, 120_000);
});
