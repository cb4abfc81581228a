import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CAPABILITY_POLICY, OPEN_CAPABILITY_POLICY } from '@kiln/engine';
import { loadKeyRing, parseKeyRing } from '@kiln/engine/secret-keys';
import { sealStarter } from '@kiln/engine/temporal';
import { command as commandType } from '@kiln/nodes';
import { memoryLimit, refusalOf } from './node-activity';
import { localWorkerPolicy, lookupUser, userCodeAccount, workerPolicyFromEnv } from './worker-policy';

const command = await commandType.load();

const passwd =
  'root:x:0:0:root:/root:/bin/bash\nkiln:x:990:985::/home/kiln:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n';

describe('worker policy', () => {
  it('finds users by name or uid', () => {
    expect(lookupUser('kiln', passwd)).toEqual({ name: 'kiln', uid: 990, gid: 985 });
    expect(lookupUser('65534', passwd)).toEqual({ name: 'nobody', uid: 65534, gid: 65534 });
    expect(lookupUser('4000:4001', passwd)).toEqual({ name: '4000:4001', uid: 4000, gid: 4001 });
    expect(() => lookupUser('ghost', passwd)).toThrow('KILN_USER_CODE_USER=ghost: no such user');
  });

  it('started before the API on a fresh home, finds the key the API writes later', () => {
    const home = mkdtempSync(join(tmpdir(), 'kiln-policy-'));
    const policy = workerPolicyFromEnv({ KILN_HOME: home });
    expect(policy.starterKeys).toBeUndefined();
    const written = loadKeyRing(undefined, home).ring;
    expect(policy.starterKeys?.ids).toEqual(written.ids);
  });

  it('switches users only as root: nobody by default, root kept only when named', () => {
    expect(userCodeAccount(undefined, 0)).toMatchObject({ name: 'nobody', uid: 65534 });
    expect(userCodeAccount('root', 0)).toBeUndefined();
    expect(userCodeAccount(undefined, 1000)).toBeUndefined();
    expect(userCodeAccount('root', 1000)).toBeUndefined();
    expect(() => userCodeAccount('nobody', 1000)).toThrow('only a worker running as root');
  });

  it('reads the memory limit and refuses nonsense', () => {
    expect(
      workerPolicyFromEnv({ KILN_USER_CODE_MEMORY_MB: '512', KILN_USER_CODE_USER: 'root' }).memoryMb,
    ).toBe(512);
    expect(() => workerPolicyFromEnv({ KILN_USER_CODE_MEMORY_MB: '1.5' })).toThrow(
      'KILN_USER_CODE_MEMORY_MB=1.5',
    );
  });

  it('reads the core budget and refuses nonsense', () => {
    expect(workerPolicyFromEnv({ KILN_WORKER_CPUS: '2.5', KILN_USER_CODE_USER: 'root' }).cpus).toBe(2.5);
    expect(workerPolicyFromEnv({ KILN_USER_CODE_USER: 'root' }).cpus).toBeUndefined();
    for (const bad of ['0', '-1', 'many', '2000']) {
      expect(() => workerPolicyFromEnv({ KILN_WORKER_CPUS: bad })).toThrow(`KILN_WORKER_CPUS=${bad}: expected a positive number of cores`);
    }
  });

  it('refuses user code by default; kiln run’s own worker allows it unless told not to', () => {
    expect(workerPolicyFromEnv({ KILN_USER_CODE_USER: 'root' }).capabilities).toEqual(
      DEFAULT_CAPABILITY_POLICY,
    );
    expect(localWorkerPolicy({}).capabilities).toEqual(OPEN_CAPABILITY_POLICY);
    expect(localWorkerPolicy({}).runAs).toBeUndefined();
    expect(localWorkerPolicy({ KILN_ALLOW_USER_CODE: 'false' }).capabilities).toEqual(
      DEFAULT_CAPABILITY_POLICY,
    );
  });

  it('lets the worker’s own setting, and only a sealed role claim, decide', () => {
    const forged = { name: 'forged', role: 'admin' as const };
    const task = { nodeId: 'sh', startedBy: forged };
    expect(refusalOf(command, task, { capabilities: DEFAULT_CAPABILITY_POLICY }, 'run-1')).toMatch(
      /^node "sh" \(core\.command\) refused by this worker: capability "user-code" is disabled on this instance/,
    );
    const old = `k1:${randomBytes(32).toString('base64')}`;
    const current = `k2:${randomBytes(32).toString('base64')}`;
    const enabled = workerPolicyFromEnv({ KILN_ALLOW_USER_CODE: 'true', KILN_USER_CODE_USER: 'root', KILN_SECRET_KEY: `${current},${old}` });
    // Unsealed, or sealed for another run or by another key: the role does not count.
    expect(refusalOf(command, task, enabled, 'run-1')).toMatch(/without a role \(forged\).*unverified role claim "admin".*KILN_SECRET_KEY/);
    const sealed = sealStarter(enabled.starterKeys!, forged, 'run-1');
    expect(refusalOf(command, { nodeId: 'sh', startedBy: sealed }, enabled, 'run-1')).toBeUndefined();
    expect(refusalOf(command, { nodeId: 'sh', startedBy: sealed }, enabled, 'run-2')).toContain('unverified role claim "admin"');
    expect(refusalOf(command, { nodeId: 'sh', startedBy: { ...sealed, name: 'someone else' } }, enabled, 'run-1')).toContain('unverified');
    const stranger = parseKeyRing(`k1:${randomBytes(32).toString('base64')}`);
    expect(refusalOf(command, { nodeId: 'sh', startedBy: sealStarter(stranger, forged, 'run-1') }, enabled, 'run-1')).toContain('unverified');
    // Rotation: a seal made under the old key still verifies while the ring lists it.
    const byOld = sealStarter(parseKeyRing(old), forged, 'run-1');
    expect(refusalOf(command, { nodeId: 'sh', startedBy: byOld }, enabled, 'run-1')).toBeUndefined();
    // A schedule's seal covers the runs Temporal names after its action's workflow id, and only those.
    const scheduled = sealStarter(enabled.starterKeys!, forged, 'nightly-kiln-abc', 'schedule');
    expect(refusalOf(command, { nodeId: 'sh', startedBy: scheduled }, enabled, 'nightly-kiln-abc-2026-12-07T06:00:00Z')).toBeUndefined();
    expect(refusalOf(command, { nodeId: 'sh', startedBy: scheduled }, enabled, 'nightly-kiln-abc')).toContain('unverified');
    expect(refusalOf(command, { nodeId: 'sh', startedBy: scheduled }, enabled, 'other-2026-12-07T06:00:00Z')).toContain('unverified');
    expect(refusalOf(command, { nodeId: 'sh', startedBy: { name: 'e', role: 'editor' } }, enabled, 'run-1')).toContain('unverified role claim "editor"');
    expect(refusalOf(command, { nodeId: 'sh' }, enabled, 'run-1')).toContain('not through the API');
    // Without a key ring nothing verifies: only `*` admits user code.
    const keyless = workerPolicyFromEnv({ KILN_ALLOW_USER_CODE: 'true', KILN_USER_CODE_USER: 'root', KILN_HOME: mkdtempSync(join(tmpdir(), 'kiln-nokey-')) });
    expect(keyless.starterKeys).toBeUndefined();
    expect(refusalOf(command, { nodeId: 'sh', startedBy: sealed }, keyless, 'run-1')).toMatch(/unverified role claim "admin" \(this worker has no key ring.*KILN_SECRET_KEY/);
    const anyone = workerPolicyFromEnv({ KILN_ALLOW_USER_CODE: 'true', KILN_USER_CODE_ROLES: '*', KILN_USER_CODE_USER: 'root', KILN_HOME: mkdtempSync(join(tmpdir(), 'kiln-nokey-')) });
    expect(refusalOf(command, task, anyone, 'run-1')).toBeUndefined();
  });

  it('takes the node’s memory limit, never above the worker’s ceiling', () => {
    expect(memoryLimit(512, undefined)).toEqual({ memoryMb: 512 });
    expect(memoryLimit(8192, 1024)).toEqual({ memoryMb: 1024 });
    expect(memoryLimit(undefined, 1024)).toEqual({ memoryMb: 1024 });
    expect(memoryLimit(undefined, undefined)).toEqual({});
  });
});
