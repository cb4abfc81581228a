import { describe, expect, it } from 'vitest';
import { DEFAULT_CAPABILITY_POLICY, OPEN_CAPABILITY_POLICY } from '@kiln/engine';
import { command } from '../nodes/index';
import { memoryLimit, refusalOf } from './node-activity';
import { localWorkerPolicy, lookupUser, userCodeAccount, workerPolicyFromEnv } from './worker-policy';

const passwd =
  'root:x:0:0:root:/root:/bin/bash\nkiln:x:990:985::/home/kiln:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n';

describe('worker policy', () => {
  it('finds users by name or uid', () => {
    expect(lookupUser('kiln', passwd)).toEqual({ name: 'kiln', uid: 990, gid: 985 });
    expect(lookupUser('65534', passwd)).toEqual({ name: 'nobody', uid: 65534, gid: 65534 });
    expect(lookupUser('4000:4001', passwd)).toEqual({ name: '4000:4001', uid: 4000, gid: 4001 });
    expect(() => lookupUser('ghost', passwd)).toThrow('KILN_USER_CODE_USER=ghost: no such user');
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

  it('lets the worker’s own setting, not the run’s claimed role, decide', () => {
    const task = { nodeId: 'sh', startedBy: { name: 'forged', role: 'admin' as const } };
    expect(refusalOf(command, task, { capabilities: DEFAULT_CAPABILITY_POLICY })).toMatch(
      /^node "sh" \(core\.command\) refused by this worker: capability "user-code" is disabled on this instance/,
    );
    const enabled = workerPolicyFromEnv({ KILN_ALLOW_USER_CODE: 'true', KILN_USER_CODE_USER: 'root' });
    expect(refusalOf(command, task, enabled)).toBeUndefined();
    expect(refusalOf(command, { nodeId: 'sh', startedBy: { name: 'e', role: 'editor' } }, enabled)).toContain(
      'not for role editor',
    );
    expect(refusalOf(command, { nodeId: 'sh' }, enabled)).toContain('not through the API');
  });

  it('takes the node’s memory limit, never above the worker’s ceiling', () => {
    expect(memoryLimit(512, undefined)).toEqual({ memoryMb: 512 });
    expect(memoryLimit(8192, 1024)).toEqual({ memoryMb: 1024 });
    expect(memoryLimit(undefined, 1024)).toEqual({ memoryMb: 1024 });
    expect(memoryLimit(undefined, undefined)).toEqual({});
  });
});
