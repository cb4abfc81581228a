/**
 * What a node type may make a worker do, declared once in its definition. Policy (which instance
 * allows what, and for whom) is decided from these declarations, never from a type name.
 */
export const CAPABILITIES = {
  'user-code': 'runs a program the pipeline author wrote (a shell command, a training script) on the worker',
  'local-files': "reads files from the worker's file system",
  network: 'fetches URLs (http, https, s3) from the worker',
  'kiln-api': "calls the Kiln API with the worker's service token (registry, deployments, retraining)",
} as const;

export type Capability = keyof typeof CAPABILITIES;

export const CAPABILITY_NAMES = Object.keys(CAPABILITIES) as Capability[];

/** Token roles, least to most trusted. */
export const ROLES = ['viewer', 'editor', 'admin'] as const;
export type Role = (typeof ROLES)[number];
/** What a token may be: a person's role, or `worker` (a worker's token, which may only register node types). */
export const TOKEN_ROLES = [...ROLES, 'worker'] as const;
export type TokenRole = (typeof TOKEN_ROLES)[number];

/** Who started a run, as the run carries it (see ARCHITECTURE.md, "Trust boundaries"). */
export interface RunStarter {
  /** A token's name, `webhook <id>`, `schedule <id>`, or the local user of `kiln run`. */
  name: string;
  /** The role of the token that started the run (for webhooks and schedules: their creator's); absent when no token did. */
  role?: Role;
  /**
   * The API's HMAC over the run's workflow id (a schedule's: its workflow-id prefix), name and role
   * (`engine/src/temporal/starter-seal.ts`): workers with the key ring trust the role only when it verifies.
   */
  seal?: string;
}

/** How an instance treats a role-restricted capability. */
export interface CapabilityRule {
  /** Off means refused for everyone. */
  enabled: boolean;
  /** The roles that may use it when enabled; `any` also admits runs that carry no role. */
  roles: readonly Role[] | 'any';
}

/**
 * An instance's capability policy. A capability without a rule is open to whoever may run a
 * pipeline (its own checks, e.g. data roots for `local-files`, still apply).
 */
export interface CapabilityPolicy {
  rules: Partial<Record<Capability, CapabilityRule>>;
}

/** The settings an operator changes, named in refusals so the reader knows what to ask for. */
const SETTINGS: Partial<Record<Capability, { enable: string; roles: string }>> = {
  'user-code': { enable: 'KILN_ALLOW_USER_CODE=true', roles: 'KILN_USER_CODE_ROLES' },
};

/** The default: user code refused. */
export const DEFAULT_CAPABILITY_POLICY: CapabilityPolicy = {
  rules: { 'user-code': { enabled: false, roles: ['admin'] } },
};

/** A developer's own machine (`kiln run` with its embedded worker): everything allowed. */
export const OPEN_CAPABILITY_POLICY: CapabilityPolicy = {
  rules: { 'user-code': { enabled: true, roles: 'any' } },
};

/** Why a capability is refused to a starter, or undefined when it is allowed. */
export function capabilityRefusal(
  capability: Capability,
  policy: CapabilityPolicy,
  starter: RunStarter | undefined,
): string | undefined {
  const rule = policy.rules[capability];
  if (!rule) return undefined;
  const setting = SETTINGS[capability];
  if (!rule.enabled) {
    return `capability "${capability}" is disabled on this instance; an operator enables it with ${setting?.enable ?? 'its setting'}${
      setting ? ` on the API and the workers, for the roles in ${setting.roles} (default admin)` : ''
    }`;
  }
  if (rule.roles === 'any') return undefined;
  if (starter?.role && rule.roles.includes(starter.role)) return undefined;
  const who = starter?.role
    ? `role ${starter.role}`
    : `a run started without a role (${starter?.name ?? 'not through the API'})`;
  return `capability "${capability}" is allowed only for role${rule.roles.length === 1 ? '' : 's'} ${rule.roles.join(', ') || '(none)'}, not for ${who}; an operator names the roles in ${
    setting?.roles ?? 'its setting'
  }`;
}

/** One node a starter may not run, with the first refused capability. */
export interface CapabilityProblem {
  path: string;
  nodeId: string;
  capability: Capability;
  message: string;
}

/** Every node of a spec whose type declares a capability the policy refuses to this starter. */
export function capabilityProblems(
  nodes: readonly { id: string; type: string }[],
  capabilitiesOf: (type: string) => readonly Capability[] | undefined,
  policy: CapabilityPolicy,
  starter: RunStarter | undefined,
): CapabilityProblem[] {
  const problems: CapabilityProblem[] = [];
  nodes.forEach((node, i) => {
    for (const capability of capabilitiesOf(node.type) ?? []) {
      const why = capabilityRefusal(capability, policy, starter);
      if (!why) continue;
      problems.push({
        path: `nodes[${i}].type`,
        nodeId: node.id,
        capability,
        message: `node "${node.id}" (${node.type}): ${why}`,
      });
      break;
    }
  });
  return problems;
}

const TRUE = new Set(['1', 'true', 'yes', 'on']);
const FALSE = new Set(['0', 'false', 'no', 'off', '']);

function flag(name: string, value: string | undefined): boolean | undefined {
  if (value === undefined) return undefined;
  const v = value.trim().toLowerCase();
  if (TRUE.has(v)) return true;
  if (FALSE.has(v)) return false;
  throw new Error(`${name}=${value}: expected true or false`);
}

/**
 * The policy an API or a worker reads from its environment: `KILN_ALLOW_USER_CODE` (or the older
 * `KILN_ALLOW_COMMAND_NODES`) turns user code on, `KILN_USER_CODE_ROLES` names the roles (comma
 * separated, default `admin`; `*` also admits runs started without a role). Bad values throw.
 */
export function capabilityPolicyFromEnv(env: Readonly<Record<string, string | undefined>>): CapabilityPolicy {
  const enabled =
    flag('KILN_ALLOW_USER_CODE', env.KILN_ALLOW_USER_CODE) ??
    flag('KILN_ALLOW_COMMAND_NODES', env.KILN_ALLOW_COMMAND_NODES) ??
    false;
  const listed = (env.KILN_USER_CODE_ROLES ?? 'admin')
    .split(',')
    .map((r) => r.trim())
    .filter(Boolean);
  let roles: CapabilityRule['roles'];
  if (listed.includes('*')) roles = 'any';
  else {
    const unknown = listed.filter((r) => !(ROLES as readonly string[]).includes(r));
    if (unknown.length > 0)
      throw new Error(
        `KILN_USER_CODE_ROLES: unknown role ${unknown.join(', ')} (roles: ${ROLES.join(', ')}, or *)`,
      );
    roles = listed as Role[];
  }
  return { rules: { 'user-code': { enabled, roles } } };
}
