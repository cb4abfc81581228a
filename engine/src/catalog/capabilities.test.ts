import { describe, expect, it } from 'vitest';
import {
  DEFAULT_CAPABILITY_POLICY,
  OPEN_CAPABILITY_POLICY,
  capabilityPolicyFromEnv,
  capabilityProblems,
  capabilityRefusal,
} from './capabilities';

const types: Record<string, readonly ('user-code' | 'local-files' | 'network' | 'kiln-api')[]> = {
  'core.command': ['user-code'],
  'ingest.file': ['local-files', 'network'],
  'core.noop': [],
};

describe('capabilityPolicyFromEnv', () => {
  it('refuses user code by default, for admins only once enabled', () => {
    expect(capabilityPolicyFromEnv({})).toEqual(DEFAULT_CAPABILITY_POLICY);
    expect(capabilityPolicyFromEnv({ KILN_ALLOW_USER_CODE: 'true' }).rules['user-code']).toEqual({
      enabled: true,
      roles: ['admin'],
    });
  });

  it('keeps KILN_ALLOW_COMMAND_NODES as an alias; KILN_ALLOW_USER_CODE wins', () => {
    expect(capabilityPolicyFromEnv({ KILN_ALLOW_COMMAND_NODES: 'true' }).rules['user-code']?.enabled).toBe(
      true,
    );
    expect(capabilityPolicyFromEnv({ KILN_ALLOW_COMMAND_NODES: 'false' }).rules['user-code']?.enabled).toBe(
      false,
    );
    expect(
      capabilityPolicyFromEnv({ KILN_ALLOW_COMMAND_NODES: 'true', KILN_ALLOW_USER_CODE: 'no' }).rules[
        'user-code'
      ]?.enabled,
    ).toBe(false);
  });

  it('reads the roles, * for any starter, and refuses unknown roles and flags', () => {
    expect(
      capabilityPolicyFromEnv({ KILN_ALLOW_USER_CODE: '1', KILN_USER_CODE_ROLES: 'editor, admin' }).rules[
        'user-code'
      ]?.roles,
    ).toEqual(['editor', 'admin']);
    expect(capabilityPolicyFromEnv({ KILN_USER_CODE_ROLES: '*' }).rules['user-code']?.roles).toBe('any');
    expect(() => capabilityPolicyFromEnv({ KILN_USER_CODE_ROLES: 'admin,root' })).toThrow(
      'unknown role root',
    );
    expect(() => capabilityPolicyFromEnv({ KILN_ALLOW_USER_CODE: 'sure' })).toThrow(
      'KILN_ALLOW_USER_CODE=sure: expected true or false',
    );
  });
});

describe('capabilityRefusal', () => {
  const enabled = capabilityPolicyFromEnv({ KILN_ALLOW_USER_CODE: 'true' });

  it('names the setting that enables a disabled capability', () => {
    expect(
      capabilityRefusal('user-code', DEFAULT_CAPABILITY_POLICY, { name: 'root', role: 'admin' }),
    ).toMatch(
      /capability "user-code" is disabled on this instance; an operator enables it with KILN_ALLOW_USER_CODE=true .* KILN_USER_CODE_ROLES/,
    );
  });

  it('admits the named roles only, and never a run without a role unless the roles are *', () => {
    expect(capabilityRefusal('user-code', enabled, { name: 'a', role: 'admin' })).toBeUndefined();
    expect(capabilityRefusal('user-code', enabled, { name: 'e', role: 'editor' })).toBe(
      'capability "user-code" is allowed only for role admin, not for role editor; an operator names the roles in KILN_USER_CODE_ROLES',
    );
    expect(capabilityRefusal('user-code', enabled, { name: 'webhook 1' })).toContain(
      'not for a run started without a role (webhook 1)',
    );
    expect(capabilityRefusal('user-code', enabled, undefined)).toContain('not through the API');
    expect(capabilityRefusal('user-code', OPEN_CAPABILITY_POLICY, undefined)).toBeUndefined();
  });

  it('leaves capabilities without a rule open', () => {
    expect(capabilityRefusal('local-files', DEFAULT_CAPABILITY_POLICY, undefined)).toBeUndefined();
  });
});

describe('capabilityProblems', () => {
  it('names node, path and capability of each refused node, from the declarations alone', () => {
    const nodes = [
      { id: 'read', type: 'ingest.file' },
      { id: 'sh', type: 'core.command' },
      { id: 'j', type: 'core.noop' },
      { id: 'sh2', type: 'core.command' },
    ];
    const problems = capabilityProblems(nodes, (t) => types[t], DEFAULT_CAPABILITY_POLICY, {
      name: 'e',
      role: 'editor',
    });
    expect(problems.map(({ path, nodeId, capability }) => ({ path, nodeId, capability }))).toEqual([
      { path: 'nodes[1].type', nodeId: 'sh', capability: 'user-code' },
      { path: 'nodes[3].type', nodeId: 'sh2', capability: 'user-code' },
    ]);
    expect(problems[0]!.message).toMatch(/^node "sh" \(core\.command\): capability "user-code" is disabled/);
    // A type renamed or new is judged by what it declares, not by its name.
    expect(
      capabilityProblems(
        [{ id: 'x', type: 'my.script' }],
        () => ['user-code'],
        DEFAULT_CAPABILITY_POLICY,
        undefined,
      ),
    ).toHaveLength(1);
  });
});
