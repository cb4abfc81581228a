import { type DevServer, type DevServerExit, type DevServerOptions, startDevServer } from './dev-server';

export interface SupervisorOptions {
  /** First wait before a restart; doubled after each fast failure (default 500 ms). */
  initialBackoffMs?: number;
  /** Longest wait between restarts (default 10 s). */
  maxBackoffMs?: number;
  /** A server that ran at least this long before exiting counts as healthy: the backoff starts over (default 60 s). */
  healthyAfterMs?: number;
  /** Fast failures in a row (a start that failed, or a server that exited before `healthyAfterMs`) before giving up (default 5). */
  maxFastFailures?: number;
  /** Called once when the supervisor gives up; the server is down for good then. */
  onGiveUp?: (error: Error) => void;
}

/** A dev server kept running: restarted on the same ports and state file whenever it exits. */
export interface SupervisedDevServer {
  readonly address: string;
  readonly namespace: string;
  readonly uiUrl?: string;
  /** The process serving now (it changes on each restart). */
  current(): DevServer | undefined;
  /** How many times the server was restarted. */
  restarts(): number;
  /** Settles when the supervisor stops for good: after `stop`, or with the error it gave up on. */
  readonly done: Promise<Error | undefined>;
  stop(): Promise<void>;
}

const describeExit = (exit: DevServerExit) =>
  exit.signal ? `killed by ${exit.signal}` : `exit code ${exit.code}`;

/**
 * Starts a Temporal dev server and keeps it up. When the process exits on its own, it is started
 * again after a backoff on the same gRPC and UI ports and the same SQLite file, so clients on the
 * old address reconnect and workflows resume from the state kept there. A server that keeps dying
 * fast (`maxFastFailures` in a row) is given up on: `onGiveUp` is called and `done` settles with the
 * reason. The first start is not retried (a broken install should fail at once).
 */
export async function superviseDevServer(
  options: DevServerOptions & SupervisorOptions,
): Promise<SupervisedDevServer> {
  const log = options.log ?? (() => {});
  const initial = options.initialBackoffMs ?? 500;
  const maxBackoff = options.maxBackoffMs ?? 10_000;
  const healthyAfter = options.healthyAfterMs ?? 60_000;
  const maxFastFailures = options.maxFastFailures ?? 5;
  let server: DevServer | undefined = await startDevServer(options);
  const ports = { port: server.port, ...(server.uiPort !== undefined ? { uiPort: server.uiPort } : {}) };
  let stopping = false;
  let restartCount = 0;
  let wake: (() => void) | undefined;
  let finish!: (reason: Error | undefined) => void;
  const done = new Promise<Error | undefined>((resolve) => (finish = resolve));
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });

  const loop = async (): Promise<Error | undefined> => {
    let fastFailures = 0;
    let startedAt = Date.now();
    for (;;) {
      const exit = await server!.exited;
      if (stopping) return undefined;
      const lived = Date.now() - startedAt;
      const tail = server!.stderr().trim().split('\n').slice(-3).join(' | ');
      fastFailures = lived >= healthyAfter ? 1 : fastFailures + 1;
      server = undefined;
      let reason = `the Temporal dev server on 127.0.0.1:${ports.port} stopped (${describeExit(exit)}) after ${Math.round(lived / 1000)} s${tail ? `: ${tail}` : ''}`;
      for (;;) {
        if (fastFailures >= maxFastFailures)
          return new Error(`${reason}; giving up after ${fastFailures} failures in a row`);
        const wait = Math.min(maxBackoff, initial * 2 ** (fastFailures - 1));
        log(`${reason}; restarting it in ${(wait / 1000).toFixed(1)} s (same port and state file)`);
        await sleep(wait);
        if (stopping) return undefined;
        try {
          server = await startDevServer({ ...options, ...ports });
          if (stopping) {
            // `stop` was called while this start was under way: it could not stop this process.
            await server.stop();
            return undefined;
          }
          startedAt = Date.now();
          restartCount++;
          log(`the Temporal dev server is back on 127.0.0.1:${ports.port} (restart ${restartCount})`);
          break;
        } catch (err) {
          fastFailures++;
          reason = `the Temporal dev server did not start again: ${(err as Error).message}`;
        }
      }
    }
  };
  void loop().then(
    (reason) => {
      if (reason) options.onGiveUp?.(reason);
      finish(reason);
    },
    (err: Error) => {
      options.onGiveUp?.(err);
      finish(err);
    },
  );

  const first = server;
  return {
    address: first.address,
    namespace: first.namespace,
    ...(first.uiUrl ? { uiUrl: first.uiUrl } : {}),
    current: () => server,
    restarts: () => restartCount,
    done,
    async stop() {
      stopping = true;
      wake?.();
      await server?.stop();
      await done;
    },
  };
}
