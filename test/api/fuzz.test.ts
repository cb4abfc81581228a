// A schema-driven fuzz pass: schemathesis (pinned, from PyPI, in a venv under the tools folder) reads
// /api/openapi.json from a real `kiln api` on PostgreSQL and sends what the document allows and what
// it does not, as the admin. Checks:
// - not_a_server_error: no 5xx, ever;
// - status_code_conformance: every status answered is documented for its operation;
// - content_type_conformance: every answer's content type is documented;
// - response_schema_conformance: every answer with a documented schema (every error) matches it;
// - unsupported_method: an undeclared method on a known path answers 405 with Allow.
// Bounded: a fixed seed and a few examples per operation, so it takes a couple of minutes.
import { execFile } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ensurePythonVenv } from '@kiln/engine/python-venv';
import { type PostgresServer, startPostgres } from '@kiln/db';
import { type Harness, openHarness, spec, tempDir } from '../support/harness';
import { type ApiProcess, startApiProcess } from '../support/api-process';

const run = promisify(execFile);
const SCHEMATHESIS = ['schemathesis==4.32.5'];
export const FUZZ_CHECKS = [
  'not_a_server_error',
  'status_code_conformance',
  'content_type_conformance',
  'response_schema_conformance',
  'unsupported_method',
];

let h: Harness;
let postgres: PostgresServer;
let api: ApiProcess;
let st: string;
beforeAll(async () => {
  const [venv] = await Promise.all([
    ensurePythonVenv({ name: 'schemathesis-venv', requirements: SCHEMATHESIS, log: console.log }),
    (async () => {
      h = await openHarness();
      postgres = await startPostgres();
      api = await startApiProcess({ temporalAddress: h.address, databaseUrl: postgres.url });
    })(),
  ]);
  st = join(venv, 'bin', 'st');
  // Something to find: a pipeline with a run, so operations on ids reach their handlers.
  const pipelineId = (
    await api.call('POST', '/api/v1/pipelines', { spec: spec('fuzz', [{ id: 'a', type: 'core.noop' }]) })
  ).json.id;
  await api.call('POST', `/api/v1/pipelines/${pipelineId}/runs`, {});
  // The first run on a machine installs schemathesis from PyPI (later runs find the venv at once).
}, 600_000);
afterAll(async () => {
  await api?.stop();
  await postgres?.stop();
  await h?.close();
});

it('finds no 5xx and no answer that breaks the OpenAPI document', { timeout: 600_000 }, async () => {
  const reports = tempDir('kiln-fuzz-');
  const args = [
    'run',
    `${api.url}/api/openapi.json`,
    '--header',
    `Authorization: Bearer ${api.adminToken}`,
    '--checks',
    FUZZ_CHECKS.join(','),
    '--max-examples',
    '6',
    '--seed',
    '16',
    // One worker: with two, CPython 3.11 can fail compiling Hypothesis's strategies in threads
    // ("AST constructor recursion depth mismatch"), a crash of the fuzzer, not of the API.
    '--workers',
    '1',
    '--request-timeout',
    '30',
    '--phases',
    'examples,coverage,fuzzing',
    '--report',
    'junit',
    '--report-dir',
    reports,
    '--output-truncate',
    'false',
  ];
  // cwd: the report folder, where schemathesis also keeps its cache (not the repository).
  const result = await run(st, args, {
    cwd: reports,
    maxBuffer: 64 * 1024 * 1024,
    env: { ...process.env, NO_COLOR: '1', SCHEMATHESIS_TELEMETRY: 'false' },
  }).then(
    (r) => ({ code: 0, output: r.stdout + r.stderr }),
    (e: { code?: number; stdout?: string; stderr?: string }) => ({
      code: e.code ?? -1,
      output: `${e.stdout ?? ''}${e.stderr ?? ''}`,
    }),
  );
  const junit = readFileSync(
    join(
      reports,
      readdirSync(reports).find((f) => f.endsWith('.xml'))!,
    ),
    'utf8',
  );
  const tests = Number(/<testsuite [^>]*tests="(\d+)"/.exec(junit)?.[1] ?? 0);
  // Every operation was exercised (61 at the time of writing), and none failed a check.
  expect(tests, result.output).toBeGreaterThanOrEqual(55);
  expect(result.code, result.output.slice(-20_000)).toBe(0);
  expect(junit).not.toMatch(/<failure/);
});
