import { delimiter, isAbsolute, join, resolve } from 'node:path';
import ipaddr from 'ipaddr.js';
import { kilnHome } from '@kiln/engine/home';

/** One `KILN_FETCH_ALLOW` entry: a host name (any address it resolves to), or an address range. */
export type FetchAllowEntry =
  | { kind: 'host'; host: string; port?: number }
  | { kind: 'range'; range: [ipaddr.IPv4 | ipaddr.IPv6, number]; port?: number };

/**
 * What data a node may read, read from the environment of the process that checks (the API when a
 * pipeline is saved or run, the worker when a node runs). One definition for both.
 */
export interface DataAccessPolicy {
  /** Absolute folders local paths and `file://` URIs must resolve under (`KILN_DATA_ROOTS`). */
  readonly dataRoots: readonly string[];
  /** The folder relative paths are resolved against (the process's working folder). */
  readonly cwd: string;
  /** Kiln's own state (`KILN_HOME`: database, Temporal history, artifacts); never data, except under a root inside it. */
  readonly home: string;
  /** Hosts and address ranges `http(s)://` may reach although they are not public (`KILN_FETCH_ALLOW`). */
  readonly fetchAllow: readonly FetchAllowEntry[];
  /** Buckets `s3://` may read on the configured endpoint; `'*'` is any (`KILN_S3_BUCKETS` + `S3_BUCKET`). */
  readonly s3Buckets: ReadonlySet<string> | '*';
}

/** The settings, named in refusals so a user knows what to change. */
export const DATA_ROOTS_SETTING = 'KILN_DATA_ROOTS';
export const FETCH_ALLOW_SETTING = 'KILN_FETCH_ALLOW';
export const S3_BUCKETS_SETTING = 'KILN_S3_BUCKETS';

/** The artifact bucket's default name (as the S3 artifact store uses it). */
const DEFAULT_ARTIFACT_BUCKET = 'kiln-artifacts';

/**
 * The policy of this process's environment:
 * - `KILN_DATA_ROOTS`: folders, separated by `:` (`;` on Windows); relative ones are taken from the
 *   working folder. Default: the working folder and `$KILN_HOME/data` (`KILN_HOME` defaults to `.kiln`).
 *   Kiln's own state under `KILN_HOME` is never data, unless a root lies inside it (as `data/` does).
 * - `KILN_FETCH_ALLOW`: hosts (`name`, `name:port`), addresses and CIDR ranges (`10.0.0.0/8`,
 *   `[::1]:8080`), separated by commas or spaces, that `http(s)://` may reach although they are
 *   loopback, private, link-local or otherwise not public. Default: none.
 * - `KILN_S3_BUCKETS`: buckets `s3://` may read besides the artifact bucket (`S3_BUCKET`, default
 *   `kiln-artifacts`), separated by commas or spaces; `*` allows every bucket on the endpoint.
 * Throws on an entry it cannot read, naming the setting, so a typo is not silently ignored.
 */
export function dataAccessPolicyFromEnv(
  env: NodeJS.ProcessEnv = process.env,
  { cwd = process.cwd(), home = kilnHome() }: { cwd?: string; home?: string } = {},
): DataAccessPolicy {
  const roots = env[DATA_ROOTS_SETTING]?.trim()
    ? env[DATA_ROOTS_SETTING].split(delimiter)
        .map((p) => p.trim())
        .filter(Boolean)
        .map((p) => resolve(cwd, p))
    : [cwd, join(home, 'data')];
  const buckets = listOf(env[S3_BUCKETS_SETTING]);
  return {
    dataRoots: [...new Set(roots)],
    cwd,
    home: resolve(cwd, home),
    fetchAllow: listOf(env[FETCH_ALLOW_SETTING]).map(parseAllowEntry),
    s3Buckets: buckets.includes('*') ? '*' : new Set([env.S3_BUCKET || DEFAULT_ARTIFACT_BUCKET, ...buckets]),
  };
}

function listOf(value: string | undefined): string[] {
  return (value ?? '')
    .split(/[\s,]+/)
    .map((s) => s.trim())
    .filter(Boolean);
}

/** `host`, `host:port`, `1.2.3.4`, `1.2.3.4:80`, `10.0.0.0/8`, `::1`, `[::1]:8080`, `fc00::/7`. */
export function parseAllowEntry(entry: string): FetchAllowEntry {
  const bad = () =>
    new Error(
      `${FETCH_ALLOW_SETTING}: cannot read "${entry}" (write a host, host:port, an address or a CIDR range)`,
    );
  if (entry.includes('/')) {
    if (!ipaddr.isValidCIDR(entry)) throw bad();
    return { kind: 'range', range: ipaddr.parseCIDR(entry) };
  }
  let host = entry;
  let port: number | undefined;
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(entry);
  if (bracketed) {
    host = bracketed[1]!;
    if (bracketed[2]) port = Number(bracketed[2]);
  } else if (!ipaddr.IPv6.isValid(entry)) {
    const colon = entry.lastIndexOf(':');
    if (colon >= 0) {
      if (!/^\d+$/.test(entry.slice(colon + 1))) throw bad();
      host = entry.slice(0, colon);
      port = Number(entry.slice(colon + 1));
    }
  }
  if (port !== undefined && (port < 1 || port > 65535)) throw bad();
  const withPort = port === undefined ? {} : { port };
  if (ipaddr.isValid(host)) {
    const address = ipaddr.parse(host);
    return { kind: 'range', range: [address, address.kind() === 'ipv4' ? 32 : 128], ...withPort };
  }
  if (!/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/i.test(host)) throw bad();
  return { kind: 'host', host: host.toLowerCase(), ...withPort };
}

/** Whether `path` is `root` or inside it (both absolute and normalized). */
export function isUnder(path: string, root: string): boolean {
  if (!isAbsolute(path) || !isAbsolute(root)) return false;
  if (path === root) return true;
  return path.startsWith(root.endsWith('/') ? root : `${root}/`);
}

/**
 * Whether a path (absolute, normalized) may be read under these roots: inside one of them, and not
 * inside Kiln's home unless the root holding it is inside the home too.
 */
export function isUnderRoots(path: string, roots: readonly string[], home: string): boolean {
  const inHome = isUnder(path, home);
  return roots.some((root) => isUnder(path, root) && (!inHome || isUnder(root, home)));
}
