import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { Connection } from '@temporalio/client';
import { freePort } from '../local/free-port';
import { findTemporalCli } from './temporal-cli';

export interface DevServerOptions {
  /** SQLite file that keeps the server's state across restarts; omit for an in-memory server. */
  dbFile?: string;
  /** Serve the Temporal web UI too. */
  ui?: boolean;
  namespace?: string;
  log?: (line: string) => void;
  startTimeoutMs?: number;
  /** gRPC port (default: a free one); a restart passes the previous one so clients reconnect. */
  port?: number;
  /** Web UI port (with `ui`; default: a free one). */
  uiPort?: number;
}

/** How a dev server process ended. */
export interface DevServerExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** A running `temporal server start-dev`. */
export interface DevServer {
  readonly address: string;
  readonly namespace: string;
  readonly uiUrl?: string;
  readonly port: number;
  readonly uiPort?: number;
  /** The server's process id (benchmarks sample its memory). */
  readonly pid: number;
  /** Settles when the process has exited, for whatever reason (`stop` included). */
  readonly exited: Promise<DevServerExit>;
  /** The last lines the server wrote to stderr. */
  stderr(): string;
  stop(): Promise<void>;
}

/**
 * Server knobs for short steps. Each node costs two transfer tasks (dispatch the activity, then the
 * workflow task that handles its result), and the history service reads its transfer queue at most
 * `transferProcessorMaxPollRPS` times a second per shard (default 20): a task waits up to 50 ms
 * before matching sees it, which was the ~100 ms per step of a chain of no-ops. The timer queue
 * (retry backoff, durable timers) has the same limiter. The same keys belong in a production
 * server's dynamic config (see bench/orchestration/README.md).
 */
export const LATENCY_DYNAMIC_CONFIG: readonly (readonly [string, number])[] = [
  ['history.transferProcessorMaxPollRPS', 1000],
  ['history.timerProcessorMaxPollRPS', 1000],
];

/**
 * Starts the Temporal CLI dev server on free loopback ports, waits until it answers, and returns a
 * handle that stops it (SIGTERM, then SIGKILL after 10 s).
 */
export async function startDevServer(options: DevServerOptions = {}): Promise<DevServer> {
  const cli = await findTemporalCli(options.log);
  const port = options.port ?? (await freePort());
  const namespace = options.namespace ?? 'default';
  const args = ['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(port), '--namespace', namespace, '--log-level', 'error'];
  let uiUrl: string | undefined;
  let uiPort: number | undefined;
  if (options.ui) {
    uiPort = options.uiPort ?? (await freePort());
    args.push('--ui-ip', '127.0.0.1', '--ui-port', String(uiPort));
    uiUrl = `http://127.0.0.1:${uiPort}`;
  } else {
    args.push('--headless');
  }
  args.push(...LATENCY_DYNAMIC_CONFIG.flatMap(([key, value]) => ['--dynamic-config-value', `${key}=${value}`]));
  if (options.dbFile) {
    mkdirSync(dirname(options.dbFile), { recursive: true });
    args.push('--db-filename', options.dbFile);
  }
  // Its own process group: a terminal's Ctrl-C reaches only the command, which stops the server last
  // (after its workers are done with it). If the command exits without stopping it (a second Ctrl-C,
  // a crash), the exit hook kills it, so it never outlives the command.
  const child = spawn(cli, args, { stdio: ['ignore', 'ignore', 'pipe'], detached: true });
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-8192);
  });
  const exited = new Promise<DevServerExit>((resolve) =>
    child.once('exit', (code, signal) => {
      process.off('exit', killOnExit);
      resolve({ code, signal });
    }),
  );
  const address = `127.0.0.1:${port}`;
  try {
    await waitUntilServing(address, namespace, child, exited, options.startTimeoutMs ?? 60_000, () => stderr);
  } catch (err) {
    await stopChild(child, exited);
    throw err;
  }
  return {
    address,
    namespace,
    port,
    pid: child.pid!,
    exited,
    stderr: () => stderr,
    ...(uiUrl ? { uiUrl, uiPort } : {}),
    stop: () => stopChild(child, exited),
  };
}

async function waitUntilServing(
  address: string,
  namespace: string,
  child: ChildProcess,
  exited: Promise<DevServerExit>,
  timeoutMs: number,
  stderr: () => string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  let done = false;
  void exited.then(() => (done = true));
  while (Date.now() < deadline) {
    if (done) throw new Error(`the Temporal dev server exited at start (code ${child.exitCode}): ${stderr().trim()}`);
    try {
      const connection = await Connection.connect({ address, connectTimeout: 1000 });
      try {
        await connection.workflowService.describeNamespace({ namespace });
        return;
      } finally {
        await connection.close();
      }
    } catch (err) {
      lastError = err;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  throw new Error(`the Temporal dev server did not answer on ${address} within ${timeoutMs} ms: ${String(lastError)}`);
}

async function stopChild(child: ChildProcess, exited: Promise<DevServerExit>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}
