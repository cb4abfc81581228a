import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { connect, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { createWorkers } from '@kiln/worker';
import { TemporalConnectError, connectTemporalClient, temporalSettings } from '@kiln/engine/temporal';

// mTLS against the real Temporal dev server. The dev server speaks plaintext only, so a TLS
// terminator in front of it (Node's TLS, requiring a client certificate signed by the test CA, h2 by
// ALPN) plays the part of a TLS-enabled frontend; everything on the client side is the production
// path: TEMPORAL_* settings → PEM files read → the client SDK (gRPC-js) and the worker's Rust core.

const dir = mkdtempSync(join(tmpdir(), 'kiln-mtls-'));
const pem = (name: string) => join(dir, name);
const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });

function makeCa(name: string): void {
  openssl(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '2',
    '-subj',
    `/CN=${name}`,
    '-keyout',
    `${name}.key`,
    '-out',
    `${name}.crt`,
  );
}
function makeLeaf(name: string, ca: string, ext: string): void {
  openssl(
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-subj',
    `/CN=${name}`,
    '-keyout',
    `${name}.key`,
    '-out',
    `${name}.csr`,
  );
  openssl(
    'x509',
    '-req',
    '-in',
    `${name}.csr`,
    '-CA',
    `${ca}.crt`,
    '-CAkey',
    `${ca}.key`,
    '-CAcreateserial',
    '-days',
    '2',
    '-out',
    `${name}.crt`,
    '-extfile',
    ext,
  );
}

let proxy: Server;
let address: string;

beforeAll(async () => {
  makeCa('ca');
  makeCa('other-ca');
  execFileSync(
    'sh',
    [
      '-c',
      `printf 'subjectAltName=DNS:temporal.test\\nextendedKeyUsage=serverAuth\\n' > server.ext; printf 'extendedKeyUsage=clientAuth\\n' > client.ext`,
    ],
    { cwd: dir },
  );
  makeLeaf('server', 'ca', 'server.ext');
  makeLeaf('client', 'ca', 'client.ext');
  const [host, port] = inject('temporalAddress').split(':');
  proxy = createServer(
    {
      key: readFileSync(pem('server.key')),
      cert: readFileSync(pem('server.crt')),
      ca: readFileSync(pem('ca.crt')),
      requestCert: true,
      rejectUnauthorized: true,
      ALPNProtocols: ['h2'],
    },
    (socket) => {
      const upstream = connect(Number(port), host);
      socket.pipe(upstream).pipe(socket);
      const close = () => {
        socket.destroy();
        upstream.destroy();
      };
      socket.on('error', close);
      upstream.on('error', close);
    },
  );
  // Refused handshakes are what some cases test.
  proxy.on('tlsClientError', () => {});
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  address = `127.0.0.1:${(proxy.address() as { port: number }).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => proxy?.close(resolve));
});

const env = (overrides: Record<string, string>) => ({
  TEMPORAL_ADDRESS: address,
  TEMPORAL_TLS_CERT: pem('client.crt'),
  TEMPORAL_TLS_KEY: pem('client.key'),
  TEMPORAL_TLS_CA: pem('ca.crt'),
  TEMPORAL_TLS_SERVER_NAME: 'temporal.test',
  ...overrides,
});

describe('Temporal over mTLS', () => {
  it('connects a client with the client certificate, the CA and the server name', async () => {
    const connection = await connectTemporalClient(temporalSettings(env({})));
    try {
      const ns = await connection.workflowService.describeNamespace({ namespace: 'default' });
      expect(ns.namespaceInfo?.name).toBe('default');
    } finally {
      await connection.close();
    }
  });

  it('connects a worker (the SDK core) with the same settings', async () => {
    const workers = await createWorkers({
      temporal: temporalSettings(env({})),
      queues: ['kiln-mtls-probe'],
      workflows: false,
      logLevel: 'ERROR',
    });
    const running = workers.run();
    await workers.shutdown();
    await running;
  });

  it("fails with a message naming the settings when the CA is not the server certificate's issuer", async () => {
    const s = temporalSettings(env({ TEMPORAL_TLS_CA: pem('other-ca.crt') }));
    const err = await connectTemporalClient(s, { connectTimeout: 3000 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TemporalConnectError);
    expect((err as Error).message).toMatch(
      new RegExp(`^cannot connect to Temporal at ${address} \\(namespace default, mTLS\\): `),
    );
    expect((err as Error).message).toContain('check TEMPORAL_TLS_CA');
    const workerErr = await createWorkers({
      temporal: s,
      queues: ['kiln-mtls-probe'],
      workflows: false,
      logLevel: 'ERROR',
    }).catch((e: unknown) => e);
    expect(workerErr).toBeInstanceOf(TemporalConnectError);
  });

  it('is refused without a client certificate, and with a server name the certificate does not carry', async () => {
    const noCert = temporalSettings({
      TEMPORAL_ADDRESS: address,
      TEMPORAL_TLS_CA: pem('ca.crt'),
      TEMPORAL_TLS_SERVER_NAME: 'temporal.test',
    });
    await expect(connectTemporalClient(noCert, { connectTimeout: 3000 })).rejects.toThrow(
      /namespace default, TLS\)/,
    );
    const wrongName = temporalSettings(env({ TEMPORAL_TLS_SERVER_NAME: 'elsewhere.test' }));
    await expect(connectTemporalClient(wrongName, { connectTimeout: 3000 })).rejects.toThrow(
      TemporalConnectError,
    );
  });
});
