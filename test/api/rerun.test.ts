import { existsSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatasetValue, NodeState } from '@kiln/engine';
import { type Harness, cmd, openHarness, spec, tempDir } from '../support/harness';
import { type ApiProcess, startApiProcess } from '../support/api-process';
import { kiln } from '../support/kiln-process';

// Re-run from failure, end to end on a real Temporal: through the API (POST /runs/:id/rerun) and
// through `kiln run --resume` with no API. A flaky node fails while a marker file exists.

let h: Harness;
let api: ApiProcess;
let editor: string;
let viewer: string;
const dir = tempDir('kiln-rerun-');
const artifactsDir = join(dir, 'artifacts');
const marker = join(dir, 'marker');
/** The failed run the API test starts, which `kiln run --resume` re-runs through the API. */
let apiSource: string | undefined;
beforeAll(async () => {
  h = await openHarness({ artifactsDir });
  api = await startApiProcess({ temporalAddress: h.address, artifactsDir, env: { KILN_ALLOW_USER_CODE: 'true', KILN_USER_CODE_ROLES: '*' } });
  editor = await api.token('editor');
  viewer = await api.token('viewer');
  writeFileSync(join(dir, 'data.csv'), 'x,y\n1,2\n3,4\n');
});
afterAll(async () => {
  await api?.stop();
  await h?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** load → flaky → after, and side alone; every command counts its executions in a file of its own. */
const pipeline = (name: string) => {
  const counted = (id: string, command: string) => cmd(id, `echo x >> ${join(dir, `${name}-${id}`)}; ${command}`);
  return spec(
    name,
    [
      { id: 'load', type: 'ingest.file', params: { uri: join(dir, 'data.csv') } },
      counted('flaky', `sleep 1; test ! -e ${marker}`),
      counted('after', 'echo done'),
      counted('side', 'echo side'),
    ],
    [
      { from: 'load', to: 'flaky' },
      { from: 'flaky', to: 'after' },
    ],
  );
};
const ran = (name: string, id: string) => {
  const file = join(dir, `${name}-${id}`);
  return existsSync(file) ? readFileSync(file, 'utf8').split('\n').length - 1 : 0;
};
const statuses = (nodes: Record<string, NodeState>) => Object.fromEntries(Object.entries(nodes).map(([id, n]) => [id, n.status]));

describe('POST /runs/:id/rerun', () => {
  const waitRun = (runId: string) => api.settled(runId, 90_000);

  it('re-runs only what failed, reusing the rest, and from named nodes with their descendants', async () => {
    const id = (await api.call('POST', '/api/v1/pipelines', { spec: pipeline('api') }, editor)).json.id as string;
    writeFileSync(marker, '');
    const source = (await api.call('POST', `/api/v1/pipelines/${id}/runs`, {}, editor)).json.runId as string;
    const early = await api.call('POST', `/api/v1/runs/${source}/rerun`, { from: 'failed' }, editor);
    expect(early.status, JSON.stringify(early.json)).toBe(409);
    expect(early.json.message).toContain('still running');
    const failed = await waitRun(source);
    apiSource = source;
    expect(failed.status).toBe('failed');
    expect(statuses(failed.state.nodes)).toEqual({ load: 'succeeded', flaky: 'failed', after: 'skipped', side: 'succeeded' });

    // Bad requests say what is wrong; viewers may not re-run; unknown runs are 404.
    const unknown = await api.call('POST', `/api/v1/runs/${source}/rerun`, { from: ['flaky', 'nope', 'zz'] }, editor);
    expect(unknown.status).toBe(400);
    expect(unknown.json.message).toContain('the pipeline has no nodes "nope", "zz"');
    expect((await api.call('POST', `/api/v1/runs/${source}/rerun`, { from: 'everything' }, editor)).status).toBe(400);
    expect((await api.call('POST', `/api/v1/runs/${source}/rerun`, { from: 'failed' }, viewer)).status).toBe(403);
    expect((await api.call('POST', '/api/v1/runs/no-such-run/rerun', { from: 'failed' }, editor)).status).toBe(404);

    unlinkSync(marker);
    const started = await api.call('POST', `/api/v1/runs/${source}/rerun`, { from: 'failed' }, editor);
    expect(started.status, JSON.stringify(started.json)).toBe(201);
    expect(started.json).toMatchObject({ rerunOf: source, reusing: ['load', 'side'] });
    const second = await waitRun(started.json.runId);
    expect(second).toMatchObject({ status: 'succeeded', trigger: 'rerun', rerunOf: source });
    expect(statuses(second.state.nodes)).toEqual({ load: 'cached', flaky: 'succeeded', after: 'succeeded', side: 'cached' });
    expect(second.state.nodes.load).toMatchObject({ attempts: 0, cachedFrom: { runId: source, nodeId: 'load' }, outputs: failed.state.nodes.load.outputs });
    expect([ran('api', 'flaky'), ran('api', 'after'), ran('api', 'side')]).toEqual([2, 1, 1]);

    // The event stream says where a cached node came from.
    const res = await fetch(`${api.url}/api/v1/runs/${second.id}/events`, { headers: { authorization: `Bearer ${viewer}` } });
    const events = (await res.text()).split('\n\n').filter((b) => b.includes('event: node')).map((b) => JSON.parse(/data: (.*)/.exec(b)![1]!));
    expect(events.find((e) => e.nodeId === 'load')).toMatchObject({ status: 'cached', cachedFrom: { runId: source, nodeId: 'load' } });

    const third = await waitRun((await api.call('POST', `/api/v1/runs/${second.id}/rerun`, { from: ['flaky'] }, editor)).json.runId);
    expect(statuses(third.state.nodes)).toEqual({ load: 'cached', flaky: 'succeeded', after: 'succeeded', side: 'cached' });
    // Reused twice: still the run that computed it.
    expect(third.state.nodes.side.cachedFrom).toEqual({ runId: source, nodeId: 'side' });
    expect([ran('api', 'flaky'), ran('api', 'after'), ran('api', 'side')]).toEqual([3, 2, 1]);

    // A reused artifact deleted from the store: that node runs again.
    unlinkSync(fileURLToPath((failed.state.nodes.load.outputs.dataset as DatasetValue).artifact.uri));
    const fourth = await waitRun((await api.call('POST', `/api/v1/runs/${source}/rerun`, { from: 'failed' }, editor)).json.runId);
    expect(statuses(fourth.state.nodes)).toEqual({ load: 'succeeded', flaky: 'succeeded', after: 'succeeded', side: 'cached' });
    expect(fourth.state.nodes.load.attempts).toBe(1);
  });
});

describe('kiln run --resume', () => {
  const env = { KILN_HOME: join(dir, 'home'), KILN_ARTIFACTS: artifactsDir };
  const temporal = () => ['--temporal-address', h.address];

  it('re-runs a failed run with no API: what succeeded is reused, the failed node runs', async () => {
    const file = join(dir, 'cli.json');
    writeFileSync(file, JSON.stringify(pipeline('cli')));
    writeFileSync(marker, '');
    // --no-cache: load computes here (else the node cache would hand it the API test's result, from that run).
    const first = await kiln(['run', file, '--json', '--no-cache', ...temporal()], { env });
    expect(first.code, first.stderr).toBe(1);
    const source = JSON.parse(first.stdout).runId as string;
    unlinkSync(marker);

    const resumed = await kiln(['run', '--resume', source, '--json', ...temporal()], { env });
    expect(resumed.code, resumed.stderr).toBe(0);
    const summary = JSON.parse(resumed.stdout);
    expect(summary).toMatchObject({ status: 'succeeded', rerunOf: source });
    expect(summary.nodes.load).toMatchObject({ status: 'cached', attempts: 0, cachedFrom: { runId: source, nodeId: 'load' } });
    expect(summary.nodes.flaky).toMatchObject({ status: 'succeeded', cachedFrom: null });
    expect(resumed.stderr).toContain(`re-running run ${source} from its failures: 2 nodes reused`);
    expect(resumed.stderr).toMatch(new RegExp(`↺ load cached from run ${source}`));
    expect([ran('cli', 'flaky'), ran('cli', 'side')]).toEqual([2, 1]);

    // --from: the nodes named and everything below them run again; the rest is reused.
    const resumedId = summary.runId as string;
    const again = await kiln(['run', '--resume', resumedId, '--from', 'flaky', '--json', ...temporal()], { env });
    expect(again.code, again.stderr).toBe(0);
    const againSummary = JSON.parse(again.stdout);
    expect(againSummary.nodes.flaky).toMatchObject({ status: 'succeeded', cachedFrom: null });
    expect(againSummary.nodes.after).toMatchObject({ status: 'succeeded', cachedFrom: null });
    expect(againSummary.nodes.side).toMatchObject({ status: 'cached', cachedFrom: { runId: source, nodeId: 'side' } });
    expect(again.stderr).toContain(`re-running run ${resumedId} from flaky: 2 nodes reused`);
    expect([ran('cli', 'flaky'), ran('cli', 'after'), ran('cli', 'side')]).toEqual([3, 2, 1]);
    const unknownNode = await kiln(['run', '--resume', resumedId, '--from', 'flaky,nope', ...temporal()], { env });
    expect(unknownNode.code).toBe(2);
    expect(unknownNode.stderr).toContain('--from flaky,nope: the pipeline has no node "nope"');
    expect((await kiln(['run', file, '--from', 'flaky'], { env })).code).toBe(2);

    const missing = await kiln(['run', '--resume', 'no-such-run', ...temporal()], { env });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('no run "no-such-run" is recorded under');
    const both = await kiln(['run', file, '--resume', source], { env });
    expect(both.code).toBe(2);
  });

  it("re-runs a run of the API, found through it with a token", async () => {
    expect(apiSource).toBeDefined();
    const withApi = { ...env, KILN_API_URL: api.url, KILN_TOKEN: viewer };
    const resumed = await kiln(['run', '--resume', apiSource!, '--json', ...temporal()], { env: withApi });
    expect(resumed.code, resumed.stderr).toBe(0);
    const summary = JSON.parse(resumed.stdout);
    expect(summary).toMatchObject({ status: 'succeeded', rerunOf: apiSource });
    expect(summary.nodes.side).toMatchObject({ status: 'cached', cachedFrom: { runId: apiSource, nodeId: 'side' } });
    expect(summary.nodes.flaky).toMatchObject({ status: 'succeeded', attempts: 1 });
    const unknown = await kiln(['run', '--resume', 'no-such-run', ...temporal()], { env: withApi });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain(`nor known to the API at ${api.url}`);
  });
});
