import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { type CapabilityPolicy, OPEN_CAPABILITY_POLICY, capabilityPolicyFromEnv } from '@kiln/engine';
import { type KeyRing, readKeyRing } from '@kiln/engine/secret-keys';
import type { UnixUser } from '@kiln/nodes/define-node';

/** What a worker lets nodes do, from its own settings: the final say over what a run may claim. */
export interface WorkerPolicy {
  capabilities: CapabilityPolicy;
  /** The account user code runs as when the worker is root (absent: the worker's own). */
  runAs?: UnixUser;
  /** The most address space user code may have, in MB (a node's `resources.memoryMb` may ask for less). */
  memoryMb?: number;
  /** The cores nodes that ask for some (`resources.cpu`) share on this worker (`KILN_WORKER_CPUS`; default: its core count). */
  cpus?: number;
  /**
   * The instance's key ring, which verifies the API's seal on a run's role claim; absent, no claimed
   * role is trusted (see `trustedStarter`).
   */
  starterKeys?: KeyRing;
}

/**
 * A worker's policy from its environment: `KILN_ALLOW_USER_CODE` / `KILN_USER_CODE_ROLES` (see
 * `capabilityPolicyFromEnv`), `KILN_USER_CODE_USER` (default `nobody`; only a root worker switches
 * users, and naming `root` keeps root), `KILN_USER_CODE_MEMORY_MB` (a ceiling over the node's own
 * `resources.memoryMb`; default none), `KILN_WORKER_CPUS` (the cores nodes that ask for some share;
 * default: the machine's), and the key ring that verifies role claims (`KILN_SECRET_KEY`,
 * else the API's key file in `KILN_HOME`). Bad values throw, so a misconfigured worker does not start.
 */
export function workerPolicyFromEnv(
  env: Readonly<Record<string, string | undefined>>,
  base?: CapabilityPolicy,
): WorkerPolicy {
  const memory = env.KILN_USER_CODE_MEMORY_MB;
  const memoryMb = memory === undefined || memory === '' ? undefined : Number(memory);
  if (memoryMb !== undefined && !(Number.isInteger(memoryMb) && memoryMb > 0)) {
    throw new Error(`KILN_USER_CODE_MEMORY_MB=${memory}: expected a positive whole number of MB`);
  }
  const cpuSetting = env.KILN_WORKER_CPUS;
  const cpus = cpuSetting === undefined || cpuSetting === '' ? undefined : Number(cpuSetting);
  if (cpus !== undefined && !(Number.isFinite(cpus) && cpus > 0 && cpus <= 1024)) {
    throw new Error(`KILN_WORKER_CPUS=${cpuSetting}: expected a positive number of cores (at most 1024)`);
  }
  const runAs = userCodeAccount(env.KILN_USER_CODE_USER);
  const home = resolve(env.KILN_HOME ?? join(process.cwd(), '.kiln'));
  let keys = readKeyRing(env.KILN_SECRET_KEY, home)?.ring;
  return {
    capabilities: base ?? capabilityPolicyFromEnv(env),
    ...(runAs ? { runAs } : {}),
    ...(memoryMb ? { memoryMb } : {}),
    ...(cpus ? { cpus } : {}),
    // A worker started before the API on a fresh KILN_HOME finds no key file yet: it looks again when
    // a run needs one, until the API (which makes the key on its first start) has written it.
    get starterKeys() {
      keys ??= readKeyRing(env.KILN_SECRET_KEY, home)?.ring;
      return keys;
    },
  };
}

/**
 * `kiln run`'s own in-process worker on a developer's machine, running the developer's own file:
 * user code is allowed (unless `KILN_ALLOW_USER_CODE=false` says otherwise) and runs as the
 * developer (unless `KILN_USER_CODE_USER` names someone); the environment is cleaned all the same.
 */
export function localWorkerPolicy(env: Readonly<Record<string, string | undefined>>): WorkerPolicy {
  const refused = /^(0|false|no|off)$/i.test(
    env.KILN_ALLOW_USER_CODE ?? env.KILN_ALLOW_COMMAND_NODES ?? 'true',
  );
  const policy = workerPolicyFromEnv(env, refused ? capabilityPolicyFromEnv(env) : OPEN_CAPABILITY_POLICY);
  if (!env.KILN_USER_CODE_USER) delete policy.runAs;
  return policy;
}

/** The account user code runs as: only a root worker switches; `root` (or uid 0) keeps root on purpose. */
export function userCodeAccount(setting: string | undefined, uid = process.getuid?.()): UnixUser | undefined {
  if (uid !== 0) {
    // Naming root (keep the worker's own account) or the worker's own account changes nothing here.
    if (setting && ![0, uid].includes(lookupUser(setting).uid)) {
      throw new Error(
        `KILN_USER_CODE_USER=${setting}: only a worker running as root can run user code as another user`,
      );
    }
    return undefined;
  }
  const user = lookupUser(setting || 'nobody');
  return user.uid === 0 ? undefined : user;
}

/** A user by name or uid (`uid` or `uid:gid`), from /etc/passwd. */
export function lookupUser(spec: string, passwd = readPasswd()): UnixUser {
  const numeric = /^(\d+)(?::(\d+))?$/.exec(spec);
  for (const line of passwd.split('\n')) {
    const [name, , uid, gid] = line.split(':');
    if (!name || uid === undefined || gid === undefined) continue;
    if (numeric ? uid === numeric[1] : name === spec) {
      return { name, uid: Number(uid), gid: numeric?.[2] ? Number(numeric[2]) : Number(gid) };
    }
  }
  if (numeric) return { name: spec, uid: Number(numeric[1]), gid: Number(numeric[2] ?? numeric[1]) };
  throw new Error(`KILN_USER_CODE_USER=${spec}: no such user in /etc/passwd`);
}

function readPasswd(): string {
  try {
    return readFileSync('/etc/passwd', 'utf8');
  } catch {
    return '';
  }
}
