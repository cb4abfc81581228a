// Who can make a worker run user code, and what that code sees: probed against a real `kiln api` and a
// real `kiln worker` (one of each for the whole file), through the API and around it on Temporal.
import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { signWebhook } from '@kiln/api';
import { catalog } from '@kiln/nodes';
import { parseKeyRing } from '@kiln/engine/secret-keys';
import { awaitRun, sealStarter, startRun } from '@kiln/engine/temporal';
import { createWorkers, type WorkerSet, workerPolicyFromEnv } from '@kiln/worker';
import type { NodeState, RunStarter } from '@kiln/engine';
import { spec } from '../support/harness';
import {
  PLANTED_SECRETS,
  type SecuredInstance,
  runAroundTheApi,
  saveAndRun,
  startSecuredInstance,
} from '../support/security-instance';

/**
 * The operator enabled user code for the default role list (admin) on both the API and the worker,
 * which share a key ring mid-rotation: `k2` seals, `k1` (the old key) still verifies.
 */
const OLD_KEY = `k1:${randomBytes(32).toString('base64')}`;
const OPERATOR = { KILN_ALLOW_USER_CODE: 'true', KILN_SECRET_KEY: `k2:${randomBytes(32).toString('base64')},${OLD_KEY}` };
const NOBODY_UID = 65534;

let kiln: SecuredInstance;
/** An in-process worker on queue `locked` with the instance defaults (user code off), whatever a run claims. */
let locked: WorkerSet;

beforeAll(async () => {
  kiln = await startSecuredInstance({ apiEnv: OPERATOR, workerEnv: OPERATOR });
  locked = await createWorkers({
    temporal: { address: inject('temporalAddress') },
    queues: ['locked'],
    workflows: false,
    logLevel: 'ERROR',
    policy: workerPolicyFromEnv({}),
  });
  void locked.run();
}, 180_000);

afterAll(async () => {
  await locked?.shutdown();
  await kiln?.stop();
});

const command = (command: string, extra: Record<string, unknown> = {}) => ({
  id: 'code',
  type: 'core.command',
  params: { command },
  ...extra,
});

/**
 * train.command needs its inputs wired for the spec to be valid; it is refused before it reads them.
 * The data's URI is a run parameter, so no data-access rule about literal URIs decides these cases.
 */
const trainCommandNodes = [
  { id: 'data', type: 'ingest.file', params: { uri: { $param: 'uri' } } },
  { id: 'prep', type: 'featurize.tabular', params: { target: 'y' } },
  { id: 'code', type: 'train.command', params: { command: 'python train.py' } },
];
const trainCommandEdges = [
  { from: 'data.dataset', to: 'prep.dataset' },
  { from: 'prep.train', to: 'code.train' },
  { from: 'prep.transform', to: 'code.transform' },
];

type Role = 'admin' | 'editor' | 'viewer';
type Outcome =
  | { refused: number; capability?: string; says?: RegExp }
  | { node: Partial<Pick<NodeState, 'status'>>; check?: (node: NodeState) => void };

const secretsAbsent = (node: NodeState) => {
  const out = String(node.outputs!.stdout);
  expect(out).toContain('KILN_RUN_ID=');
  for (const [name, value] of Object.entries(PLANTED_SECRETS)) {
    expect(out).not.toContain(`${name}=`);
    expect(out).not.toContain(value);
  }
  expect(out).not.toMatch(/^(DATABASE_URL|S3_|AWS_|KILN_[A-Z_]*TOKEN)/m);
};

const throughTheApi: [Role, string, unknown, Outcome][] = [
  [
    'editor',
    'core.command echo',
    spec('sec-editor-command', [command('echo hi')]),
    {
      refused: 403,
      capability: 'user-code',
      says: /allowed only for role admin, not for role editor.*KILN_USER_CODE_ROLES/,
    },
  ],
  [
    'editor',
    'train.command',
    spec('sec-editor-train', trainCommandNodes, trainCommandEdges, {
      params: { type: 'object', properties: { uri: { type: 'string' } } },
    }),
    { refused: 403, capability: 'user-code', says: /not for role editor/ },
  ],
  ['viewer', 'core.command echo', spec('sec-viewer-command', [command('echo hi')]), { refused: 403 }],
  [
    'admin',
    'core.command env',
    spec('sec-admin-env', [command('env')]),
    { node: { status: 'succeeded' }, check: secretsAbsent },
  ],
  [
    'admin',
    'core.command id -u',
    spec('sec-admin-id', [command('id -u')]),
    {
      node: { status: 'succeeded' },
      check: (node) => {
        const uid = Number(String(node.outputs!.stdout).trim());
        expect(uid).not.toBe(0);
        if (process.getuid?.() === 0) expect(uid).toBe(NOBODY_UID);
      },
    },
  ],
  [
    'admin',
    'core.command allocating 256 MB under memoryMb 128',
    spec('sec-admin-memory', [
      command(`python3 -c "b = bytearray(256 * 1024 * 1024); print('allocated')"`, {
        resources: { memoryMb: 128 },
      }),
    ]),
    { node: { status: 'failed' }, check: (node) => expect(node.error!.message).toContain('MemoryError') },
  ],
];

describe('through the API', () => {
  it.each(throughTheApi)('%s saves and runs %s', async (role, _what, pipeline, outcome) => {
    const attempt = await saveAndRun(kiln, kiln.tokens[role], pipeline);
    if ('refused' in outcome) {
      expect(attempt.saved.status).toBe(outcome.refused);
      if (outcome.capability) {
        expect(attempt.saved.json.message).toContain(outcome.capability);
        expect(attempt.saved.json.problems).toEqual([
          expect.objectContaining({
            path: expect.stringMatching(/^nodes\[\d+\]\.type$/),
            nodeId: 'code',
            capability: outcome.capability,
            message: expect.stringMatching(outcome.says!),
          }),
        ]);
      }
      return;
    }
    expect(attempt.saved.status).toBe(201);
    const node = attempt.run.state.nodes.code as NodeState;
    expect(node).toMatchObject(outcome.node);
    outcome.check?.(node);
  });

  it('refuses an editor starting a run of a user-code pipeline an admin saved (the run start path)', async () => {
    const saved = await kiln.api.call(
      'POST',
      '/api/v1/pipelines',
      { spec: spec('sec-admin-saved', [command('echo hi')]) },
      kiln.tokens.admin,
    );
    expect(saved.status).toBe(201);
    const started = await kiln.api.call(
      'POST',
      `/api/v1/pipelines/${saved.json.id}/runs`,
      { params: {} },
      kiln.tokens.editor,
    );
    expect(started.status).toBe(403);
    expect(started.json.problems[0]).toMatchObject({
      path: 'nodes[0].type',
      nodeId: 'code',
      capability: 'user-code',
    });
  });
});

const refusedByWorker = (node: NodeState) => {
  // Refused on the first attempt although the node allows three: the failure is not retryable.
  expect(node).toMatchObject({ status: 'failed', attempts: 1, error: { type: 'CapabilityRefused' } });
  expect(node.error!.message).toMatch(
    /^node "code" \((core|train)\.command\) refused by this worker: capability "user-code"/,
  );
};

const aroundTheApi: [
  string,
  string,
  Parameters<typeof runAroundTheApi>[1],
  RunStarter | undefined,
  (node: NodeState) => void,
][] = [
  [
    'no role',
    'core.command',
    spec('sec-direct-norole', [command('echo escaped', { retry: { maxAttempts: 3 } })]),
    undefined,
    refusedByWorker,
  ],
  [
    'a forged editor role',
    'train.command',
    spec('sec-direct-train', [{ ...trainCommandNodes[2], retry: { maxAttempts: 3 } }]),
    { name: 'mallory', role: 'editor' },
    refusedByWorker,
  ],
  [
    'a forged admin role, on a worker whose own setting disables user code',
    'core.command',
    spec('sec-direct-locked', [
      command('echo escaped', { retry: { maxAttempts: 3 }, resources: { queue: 'locked' } }),
    ]),
    { name: 'mallory', role: 'admin' },
    (node) => {
      refusedByWorker(node);
      expect(node.error!.message).toContain('is disabled on this instance');
    },
  ],
  // A role counts only when the API's seal on it verifies: a claim forged on Temporal is no role.
  [
    'a forged admin role, on a worker that enables user code for admin',
    'core.command',
    spec('sec-direct-forged', [command('echo ran', { retry: { maxAttempts: 3 } })]),
    { name: 'mallory', role: 'admin' },
    (node) => {
      refusedByWorker(node);
      expect(node.error!.message).toMatch(/not for a run started without a role \(mallory\).*unverified role claim "admin".*KILN_SECRET_KEY/);
    },
  ],
];

describe('around the API, started directly on Temporal', () => {
  it.each(aroundTheApi)('a run with %s and %s', async (_who, _what, pipeline, startedBy, check) => {
    const state = await runAroundTheApi(kiln, pipeline, startedBy);
    check(state.nodes.code!);
  });
});

describe('sealed role claims', () => {
  it('runs a claim sealed under the old key of the ring (rotation), and not one sealed for another run', async () => {
    const pipeline = spec('sec-sealed-old-key', [command('echo sealed')]);
    const runId = `sec-sealed-${randomUUID()}`;
    const startedBy = sealStarter(parseKeyRing(OLD_KEY), { name: 'root-admin', role: 'admin' }, runId);
    const ran = await awaitRun(await startRun(kiln.temporal.client, { spec: pipeline, params: {}, catalog, runId, startedBy }));
    expect(ran.nodes.code).toMatchObject({ status: 'succeeded', outputs: { stdout: 'sealed\n' } });
    // The same seal replayed onto another workflow id does not verify.
    const replayed = await awaitRun(await startRun(kiln.temporal.client, { spec: pipeline, params: {}, catalog, runId: `${runId}-copy`, startedBy }));
    refusedByWorker(replayed.nodes.code!);
    expect(replayed.nodes.code!.error!.message).toContain('unverified role claim "admin"');
  });

  it('runs webhook deliveries as the webhook’s creator, with the role they had', async () => {
    const saved = await kiln.api.call('POST', '/api/v1/pipelines', { spec: spec('sec-admin-hook', [command('echo hooked')]) }, kiln.tokens.admin);
    expect(saved.status).toBe(201);
    const hook = await kiln.api.call('POST', `/api/v1/pipelines/${saved.json.id}/webhooks`, { paramMapping: {} }, kiln.tokens.admin);
    expect(hook.status).toBe(201);
    const body = '{}';
    const ts = Math.floor(Date.now() / 1000);
    const delivered = await fetch(`${kiln.api.url}${new URL(hook.json.url).pathname}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'webhook-id': 'msg_1', 'webhook-timestamp': String(ts), 'webhook-signature': signWebhook(hook.json.secret, 'msg_1', ts, body) },
      body,
    });
    expect(delivered.status).toBe(202);
    const run = await kiln.api.settled(((await delivered.json()) as { runId: string }).runId);
    expect(run.state.nodes.code).toMatchObject({ status: 'succeeded', outputs: { stdout: 'hooked\n' } });
  });
});
