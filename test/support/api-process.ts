import { type ChildProcess, spawn } from 'node:child_process';
import { errorBody, routeFor } from '@kiln/api-types';
import { freePort } from '@kiln/engine/free-port';
import { KILN_BIN } from './kiln-process';
import { tempDir } from './harness';

/** A `kiln api` process on a free port, with a known admin token. */
export interface ApiProcess {
  url: string;
  /** The folder artifact store the API serves from. */
  artifactsDir: string;
  /** The embedded database's folder (unused with DATABASE_URL). */
  dataDir: string;
  adminToken: string;
  logs(): string;
  /** SIGTERM (a graceful stop), and waits until the process has exited. */
  stop(): Promise<void>;
  /** Sends a signal (SIGKILL: a crash) and waits until the process has exited. */
  kill(signal: NodeJS.Signals): Promise<number | null>;
  /** Resolves with the exit code once the process has exited. */
  exited: Promise<number | null>;
  /** Starts a run of a registered pipeline through the API and waits until it has ended. */
  runToEnd(pipelineId: string, params?: Record<string, unknown>): Promise<any>;
  /** Waits until a run has ended and returns it (with its final state). */
  settled(runId: string, timeoutMs?: number): Promise<any>;
  /** A new API token of `role` (made by the admin). */
  token(role: 'viewer' | 'editor' | 'admin', name?: string): Promise<string>;
  /** Calls the API as the admin (or with `token`); JSON in and out. */
  call(method: string, path: string, body?: unknown, token?: string | null): Promise<{ status: number; json: any; headers: Headers }>;
}

export async function startApiProcess(options: {
  temporalAddress: string;
  databaseUrl?: string;
  env?: Record<string, string>;
  /** Reuse a stopped API's embedded database and artifacts (a restart). */
  dataDir?: string;
  artifactsDir?: string;
  adminToken?: string;
  /** A port chosen beforehand (default: a free one), so other processes can be given the URL first. */
  port?: number;
}): Promise<ApiProcess> {
  const port = options.port ?? (await freePort());
  const adminToken = options.adminToken ?? `kiln_test_${Math.random().toString(36).slice(2)}`;
  const artifactsDir = options.artifactsDir ?? tempDir('kiln-artifacts-');
  const dataDir = options.dataDir ?? tempDir('kiln-pglite-');
  const env: Record<string, string> = {
    ...(process.env as Record<string, string>),
    KILN_API_PORT: String(port),
    KILN_ADMIN_TOKEN: adminToken,
    TEMPORAL_ADDRESS: options.temporalAddress,
    KILN_LOG_LEVEL: 'warn',
    KILN_ARTIFACTS: artifactsDir,
    ...(options.databaseUrl ? { DATABASE_URL: options.databaseUrl } : {}),
    ...options.env,
  };
  if (!options.databaseUrl) delete env.DATABASE_URL;
  const args = [KILN_BIN, 'api', ...(options.databaseUrl ? [] : ['--data-dir', dataDir])];
  const child: ChildProcess = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`kiln api did not start: ${output}`)), 240_000);
    const check = () => {
      if (output.includes('kiln api: listening')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`kiln api exited with ${code}: ${output}`));
    });
  });
  const url = `http://127.0.0.1:${port}`;
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  const kill = async (signal: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    return exited;
  };
  const api: ApiProcess = {
    url,
    artifactsDir,
    dataDir,
    adminToken,
    logs: () => output,
    exited,
    kill,
    async stop() {
      await kill('SIGTERM');
    },
    async runToEnd(pipelineId, params = {}) {
      const started = await api.call('POST', `/api/v1/pipelines/${pipelineId}/runs`, { params });
      if (started.status !== 201) throw new Error(`run not started: ${JSON.stringify(started.json)}`);
      return api.settled(started.json.runId);
    },
    settled(runId, timeoutMs = 240_000) {
      return eventually(async () => {
        const r = (await api.call('GET', `/api/v1/runs/${runId}`)).json;
        return r.status !== 'running' && r.state ? r : undefined;
      }, timeoutMs, `run ${runId}`);
    },
    async token(role, name = role) {
      const made = await api.call('POST', '/api/v1/tokens', { name, role });
      if (made.status !== 201) throw new Error(`token not made: ${JSON.stringify(made.json)}`);
      return made.json.token as string;
    },
    async call(method, path, body, token = adminToken) {
      const res = await fetch(`${url}${path}`, {
        method,
        signal: AbortSignal.timeout(30_000),
        headers: {
          ...(token ? { authorization: `Bearer ${token}` } : {}),
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        },
        ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
      });
      const text = await res.text();
      let json: unknown = text;
      try {
        json = JSON.parse(text);
      } catch {
        // Not JSON (metrics, SSE).
      }
      checkAnswer(method, path, res.status, json);
      return { status: res.status, json, headers: res.headers };
    },
  };
  return api;
}

/**
 * Every answer a test gets is checked against its schema in @kiln/api-types: a success against the
 * route's response schema (a JSON answer of a route with none fails too: add it to `RESPONSES`), an
 * error against the one error body. A field the schema does not declare fails as well (zod would drop
 * it silently), so the schemas stay complete. A mismatch fails the test that made the call, naming
 * the route and the paths that differ.
 */
export function checkAnswer(method: string, path: string, status: number, json: unknown): void {
  if (typeof json !== 'object' || json === null || status < 200 || (status >= 300 && status < 400)) return;
  const found = status >= 400 ? { route: 'error body', schema: errorBody } : routeFor(method, path);
  if (!found) {
    if (path.startsWith('/api/v1/')) throw new Error(`${method} ${path} answered ${status} with JSON but has no response schema: add it to RESPONSES in @kiln/api-types`);
    return;
  }
  // A route that answers no JSON (an artifact's bytes may happen to parse as JSON).
  if (!found.schema) return;
  const result = found.schema.safeParse(json);
  const problems = result.success
    ? undeclared(json, result.data).map((at) => `${at}: not declared by the schema`)
    : result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
  if (problems.length > 0) {
    throw new Error(`${method} ${path} answered ${status} with a body that does not match ${found.route} in @kiln/api-types: ${problems.join('; ')}`);
  }
}

/** Paths of the keys in `sent` that parsing dropped (zod strips the keys an object schema does not declare). */
function undeclared(sent: unknown, parsed: unknown, at = ''): string[] {
  if (Array.isArray(sent) && Array.isArray(parsed)) return sent.flatMap((v, i) => undeclared(v, parsed[i], `${at}[${i}]`));
  if (!sent || typeof sent !== 'object' || !parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return [];
  return Object.entries(sent).flatMap(([k, v]) => {
    const path = at ? `${at}.${k}` : k;
    return k in parsed ? undeclared(v, (parsed as Record<string, unknown>)[k], path) : [path];
  });
}

/** Polls `fn` until it returns a truthy value. */
export async function eventually<T>(fn: () => Promise<T | undefined | false>, timeoutMs = 60_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
