import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { Connection } from '@temporalio/client';
import { LATENCY_DYNAMIC_CONFIG, findTemporalCli } from '@kiln/engine/temporal';
import { isExecutable } from '@kiln/engine/python-venv';
import { toolsDir } from '@kiln/engine/home';
import { tempDir } from '../../support/harness';

const run = promisify(execFile);

/** The pinned production server (v1.32.2 needs a newer Go than this machine's 1.26.8). */
export const TEMPORAL_SERVER_VERSION = 'v1.32.1';
const BUILD_SCRIPT = resolve(import.meta.dirname, '../build-temporal-server.sh');

/** A production Temporal server (all four services in one process) on PostgreSQL with SQL visibility. */
export interface TemporalServer {
  /** The frontend, `127.0.0.1:port`. */
  address: string;
  logs(): string;
  /** SIGTERM and start again on the same ports and database (an upgrade or a crash loop). */
  restart(options?: { signal?: NodeJS.Signals }): Promise<void>;
  stop(): Promise<void>;
}

/**
 * `temporal-server` and `temporal-sql-tool` at the pinned version, built from the Go module proxy
 * into `.kiln/tools/bin` the first time (`.ci/run` builds them before the tests).
 */
export async function temporalServerBinaries(log: (line: string) => void = console.log): Promise<{ server: string; sqlTool: string }> {
  const bin = join(toolsDir(), 'bin');
  const server = join(bin, `temporal-server-${TEMPORAL_SERVER_VERSION}`);
  const sqlTool = join(bin, `temporal-sql-tool-${TEMPORAL_SERVER_VERSION}`);
  if (!isExecutable(server) || !isExecutable(sqlTool)) {
    log(`building temporal-server ${TEMPORAL_SERVER_VERSION} from the Go module proxy (once, a few minutes): ${BUILD_SCRIPT}`);
    await run(BUILD_SCRIPT, [], { env: { ...process.env, TEMPORAL_SERVER_VERSION, KILN_TOOLS_DIR: toolsDir() }, maxBuffer: 64 << 20 });
  }
  return { server, sqlTool };
}

/**
 * Creates Temporal's two databases on a PostgreSQL server (`postgres://user@host:port/…`, trust auth)
 * with the schema tool's embedded schemas, then starts the server on free loopback ports and
 * registers the `default` namespace.
 */
export async function startTemporalServer(postgresUrl: string): Promise<TemporalServer> {
  const { server, sqlTool } = await temporalServerBinaries();
  const pg = new URL(postgresUrl);
  const sql = (database: string, ...args: string[]) =>
    run(sqlTool, ['--plugin', 'postgres12', '--endpoint', pg.hostname, '--port', pg.port, '--user', decodeURIComponent(pg.username), '--database', database, ...args]);
  for (const [database, schema] of [
    ['temporal', 'postgresql/v12/temporal'],
    ['temporal_visibility', 'postgresql/v12/visibility'],
  ] as const) {
    await sql(database, 'create-database', '--defaultdb', 'postgres');
    await sql(database, 'setup-schema', '--version', '0.0');
    await sql(database, 'update-schema', '--schema-name', schema);
  }
  const ports = await distinctFreePorts(9);
  const dir = tempDir('kiln-temporal-server-');
  const configFile = join(dir, 'config.yaml');
  writeFileSync(configFile, serverConfig(pg, ports, join(dir, 'dynamicconfig.yaml')));
  writeFileSync(join(dir, 'dynamicconfig.yaml'), DYNAMIC_CONFIG);
  const address = `127.0.0.1:${ports[0]}`;
  let child: ChildProcess;
  let output = '';
  const launch = async () => {
    child = spawn(server, ['--config-file', configFile, '--allow-no-auth', 'start'], { stdio: ['ignore', 'pipe', 'pipe'] });
    const keep = (c: Buffer) => (output = (output + c.toString()).slice(-200_000));
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    await waitServing(address, child, () => output);
  };
  await launch();
  const cli = await findTemporalCli();
  await run(cli, ['operator', 'namespace', 'create', '--namespace', 'default', '--retention', '24h', '--address', address]);
  // A namespace is served once every service has loaded it from the database (a cache refresh).
  await waitNamespace(address);
  const stopChild = async (signal: NodeJS.Signals) => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill(signal);
    await exited;
  };
  return {
    address,
    logs: () => output,
    async restart({ signal = 'SIGTERM' } = {}) {
      await stopChild(signal);
      await launch();
      await waitNamespace(address);
    },
    stop: () => stopChild('SIGTERM'),
  };
}

/**
 * Free loopback ports below 32768: Temporal stores membership ports in a `smallint` column, and
 * the kernel's ephemeral ports (what `freePort` gets) are above it.
 */
async function distinctFreePorts(n: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < n) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    if (!ports.has(port) && (await isFree(port))) ports.add(port);
  }
  return [...ports];
}

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

async function waitServing(address: string, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`temporal-server exited with ${child.exitCode}: ${output().slice(-4000)}`);
    try {
      const connection = await Connection.connect({ address, connectTimeout: 2_000 });
      try {
        await connection.workflowService.getSystemInfo({});
        return;
      } finally {
        await connection.close();
      }
    } catch {
      // Not serving yet.
    }
    if (Date.now() > deadline) throw new Error(`temporal-server did not serve on ${address}: ${output().slice(-4000)}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

async function waitNamespace(address: string): Promise<void> {
  const connection = await Connection.connect({ address });
  try {
    const deadline = Date.now() + 60_000;
    for (;;) {
      try {
        await connection.workflowService.listWorkflowExecutions({ namespace: 'default', pageSize: 1 });
        return;
      } catch (err) {
        if (Date.now() > deadline) throw new Error(`namespace default not served on ${address}: ${(err as Error).message}`);
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  } finally {
    await connection.close();
  }
}

/**
 * Dynamic config: namespaces refresh quickly (the default is 10 s) so a registered one serves soon;
 * the history queues are read without the 20-reads-a-second limiter that costs short steps ~100 ms.
 */
const DYNAMIC_CONFIG = `system.forceSearchAttributesCacheRefreshOnRead:
  - value: true
system.namespaceCacheRefreshInterval:
  - value: 1s
${LATENCY_DYNAMIC_CONFIG.map(([key, value]) => `${key}:\n  - value: ${value}\n`).join('')}`;

function serverConfig(pg: URL, ports: number[], dynamicConfig: string): string {
  const [frontend, frontendMembership, frontendHttp, history, historyMembership, matching, matchingMembership, worker, workerMembership] = ports;
  const store = (database: string, maxConns: number) => `      sql:
        pluginName: postgres12
        databaseName: ${database}
        connectAddr: "${pg.hostname}:${pg.port}"
        connectProtocol: tcp
        user: "${decodeURIComponent(pg.username)}"
        password: "${decodeURIComponent(pg.password)}"
        maxConns: ${maxConns}
        maxIdleConns: ${maxConns}
        maxConnLifetime: 1h`;
  const service = (grpc: number, membership: number, extra = '') => `    rpc:
      grpcPort: ${grpc}
      membershipPort: ${membership}
      bindOnLocalHost: true${extra}`;
  return `log:
  stdout: true
  level: warn
persistence:
  defaultStore: postgres-default
  visibilityStore: postgres-visibility
  numHistoryShards: 4
  datastores:
    postgres-default:
${store('temporal', 20)}
    postgres-visibility:
${store('temporal_visibility', 4)}
global:
  membership:
    maxJoinDuration: 30s
    broadcastAddress: 127.0.0.1
services:
  frontend:
${service(frontend!, frontendMembership!, `\n      httpPort: ${frontendHttp}`)}
  history:
${service(history!, historyMembership!)}
  matching:
${service(matching!, matchingMembership!)}
  worker:
${service(worker!, workerMembership!)}
clusterMetadata:
  enableGlobalNamespace: false
  failoverVersionIncrement: 10
  masterClusterName: active
  currentClusterName: active
  clusterInformation:
    active:
      enabled: true
      initialFailoverVersion: 1
      rpcName: frontend
      rpcAddress: 127.0.0.1:${frontend}
dcRedirectionPolicy:
  policy: noop
dynamicConfigClient:
  filepath: ${dynamicConfig}
  pollInterval: 10s
`;
}
