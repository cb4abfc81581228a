// The compiled build (`npm run build`): the `kiln` command runs it (KILN_DEV=0) without TypeScript
// sources or webpack, and its light commands load only what they use.
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it, inject } from 'vitest';
import { buildIsCurrent } from '@kiln/cli/build-state';
import { KILN_BIN } from '../support/kiln-process';

const ROOT = resolve(import.meta.dirname, '../..');
const TRACE_IMPORT = join(import.meta.dirname, '../support/module-trace.mjs');
const scratch = mkdtempSync(join(tmpdir(), 'kiln-built-cli-'));

/** Packages `kiln --help` and `kiln validate` must never load. */
const HEAVY = [
  'onnxruntime-node',
  'onnx-proto',
  'apache-arrow',
  'hyparquet',
  'minio',
  '@nestjs',
  'fastify',
  'typeorm',
  'pg',
  '@electric-sql',
  '@temporalio',
  'webpack',
  '@swc',
];

let traces = 0;
/** Runs the compiled `kiln` (unless `env` says KILN_DEV=1); returns its output and the modules it loaded (repository-relative or package paths). */
function builtKiln(
  args: string[],
  onStderr?: (text: string, stop: () => void) => void,
  env: Record<string, string> = {},
) {
  const trace = join(scratch, `trace-${traces++}.txt`);
  const child = spawn(process.execPath, ['--import', TRACE_IMPORT, KILN_BIN, ...args], {
    cwd: ROOT,
    env: { ...process.env, KILN_DEV: '0', ...env, KILN_MODULE_TRACE: trace },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  let stopped = false;
  const stop = () => {
    if (!stopped) child.kill('SIGTERM');
    stopped = true;
  };
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => {
    stderr += c.toString();
    onStderr?.(stderr, stop);
  });
  return new Promise<{ code: number | null; stdout: string; stderr: string; modules: string[] }>((done) =>
    child.on('close', (code) => {
      let modules: string[] = [];
      try {
        modules = readFileSync(trace, 'utf8').trim().split('\n');
      } catch {
        // nothing loaded through the ESM loader
      }
      done({
        code,
        stdout,
        stderr,
        modules: modules.map((m) => m.replace(pathToFileURL(`${ROOT}/`).href, '')),
      });
    }),
  );
}

const packageOf = (m: string) => m.match(/node_modules\/((?:@[^/]+\/)?[^/]+)/)?.[1];
const loadedPackages = (modules: string[]) => new Set(modules.map(packageOf).filter((p) => p !== undefined));
const workspaceSources = (modules: string[]) =>
  modules.filter((m) => /^(engine|artifacts|tabular|ml|serving|nodes|worker|db|api|cli)\/src\//.test(m) || m.endsWith('.ts'));

beforeAll(async () => {
  // CI builds before the tests (.ci/run); in the dev loop this builds when the sources are newer.
  if (!buildIsCurrent(pathToFileURL(`${ROOT}/`)))
    await promisify(execFile)(process.execPath, ['scripts/build.mjs'], { cwd: ROOT });
}, 600_000);

describe('the compiled kiln', () => {
  it('prints its usage loading no package and no source', async () => {
    const r = await builtKiln(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('kiln validate <file.json|file.ts>');
    expect([...loadedPackages(r.modules)]).toEqual([]);
    expect(r.modules.filter((m) => m.startsWith('cli/dist/'))).toContain('cli/dist/main.js');
    expect(workspaceSources(r.modules)).toEqual([]);
  });

  it('validates a ten-node pipeline with the light catalog: no trainers, ONNX, Arrow, Nest or Temporal', async () => {
    const r = await builtKiln(['validate', 'bench/cli/ten-nodes.json']);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/ok — pipeline "ten-nodes", 10 nodes, 15 edges, sha256:[0-9a-f]{64}/);
    expect(
      [...loadedPackages(r.modules)].filter((p) => HEAVY.some((h) => p === h || p.startsWith(`${h}/`))),
    ).toEqual([]);
    expect(r.modules).toContain('nodes/dist/catalog.js');
    // The registry's declarations and what defineNode needs (its failure type and the data-access policy), no implementation.
    expect(
      r.modules.filter((m) => m.startsWith('nodes/dist/') && !m.endsWith('.decl.js') && !m.startsWith('nodes/dist/access/')).sort(),
    ).toEqual(['nodes/dist/catalog.js', 'nodes/dist/define-node.js', 'nodes/dist/lazy-node.js', 'nodes/dist/node-failure.js', 'nodes/dist/registry.js']);
    expect(workspaceSources(r.modules)).toEqual([]);
  });

  it('validates a pipeline written in TypeScript (compiled on the fly) to the hash of its JSON twin', async () => {
    const ts = await builtKiln(['validate', 'examples/churn/churn.ts']);
    const json = await builtKiln(['validate', 'examples/churn/churn.json']);
    expect(ts.code).toBe(0);
    expect(json.code).toBe(0);
    const hash = (out: string) => out.match(/sha256:[0-9a-f]{64}/)?.[0];
    expect(hash(ts.stdout)).toBeDefined();
    expect(hash(ts.stdout)).toBe(hash(json.stdout));
    // The pipeline imports its node types from @kiln/nodes: their declarations, not the ML stack.
    const implementations = ['onnxruntime-node', 'onnx-proto', 'apache-arrow', 'hyparquet', 'minio'];
    expect([...loadedPackages(ts.modules)].filter((p) => implementations.includes(p))).toEqual([]);
  });

  it('starts a worker from the prebuilt workflow bundle, without webpack or sources, and stops on SIGTERM', async () => {
    const r = await builtKiln(
      ['worker', '--queues', 'built-cli-test', '--temporal-address', inject('temporalAddress')],
      (text, stop) => {
        if (text.includes('kiln worker: serving')) stop();
      },
      // A fresh home: no workflow bundle cached by earlier runs from sources.
      { KILN_HOME: mkdtempSync(join(scratch, 'home-')) },
    );
    expect(r.stderr).toContain('kiln worker: serving');
    expect(r.stderr).toContain('kiln worker: stopped');
    expect(r.code).toBe(0);
    const packages = loadedPackages(r.modules);
    expect(packages.has('@temporalio/worker')).toBe(true);
    expect(packages.has('webpack')).toBe(false);
    expect(workspaceSources(r.modules)).toEqual([]);
  });
});

describe('kiln from sources (KILN_DEV=1, the dev loop)', () => {
  it('loads the workspace packages from their TypeScript sources, none from their dist', async () => {
    const r = await builtKiln(['validate', 'bench/cli/ten-nodes.json'], undefined, { KILN_DEV: '1' });
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/ok — pipeline "ten-nodes"/);
    expect(r.modules).toContain('cli/src/main.ts');
    expect(r.modules).toContain('nodes/src/catalog.ts');
    expect(r.modules.some((m) => m.startsWith('engine/src/'))).toBe(true);
    // A stale dist must not stand in for an edited source (it did: swc-node kept the conditions of
    // its own registration, without `source`).
    expect(r.modules.filter((m) => /^[\w-]+(\/ts)?\/dist\//.test(m))).toEqual([]);
  });
});
