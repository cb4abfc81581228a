import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { describe, expect, it } from 'vitest';
import {
  TEMPORAL_FLAG_OPTIONS,
  TemporalSettingsError,
  describeTemporal,
  temporalConnectError,
  temporalConnectionOptions,
  temporalSettings,
  usesTls,
} from './connection-settings';

const dir = mkdtempSync(join(tmpdir(), 'kiln-tls-'));
const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};
const crt = file('client.crt', 'CLIENT CERT');
const key = file('client.key', 'CLIENT KEY');
const ca = file('ca.crt', 'CA CERT');

describe('temporalSettings', () => {
  it('defaults to a local plaintext server in namespace default', () => {
    const s = temporalSettings({});
    expect(s).toEqual({ address: '127.0.0.1:7233', namespace: 'default' });
    expect(usesTls(s)).toBe(false);
  });

  it('reads every TEMPORAL_* variable', () => {
    const s = temporalSettings({
      TEMPORAL_ADDRESS: 'temporal.example:7233',
      TEMPORAL_NAMESPACE: 'ml',
      TEMPORAL_TLS_CERT: crt,
      TEMPORAL_TLS_KEY: key,
      TEMPORAL_TLS_CA: ca,
      TEMPORAL_TLS_SERVER_NAME: 'frontend.internal',
      TEMPORAL_API_KEY: 'secret-key',
    });
    expect(s).toEqual({
      address: 'temporal.example:7233',
      namespace: 'ml',
      tlsCertPath: crt,
      tlsKeyPath: key,
      tlsCaPath: ca,
      tlsServerName: 'frontend.internal',
      apiKey: 'secret-key',
    });
  });

  it('lets command-line flags override the environment (parsed with the shared parseArgs options)', () => {
    const { values } = parseArgs({
      args: [
        '--temporal-address',
        'flag:7233',
        '--namespace',
        'flagged',
        '--tls-ca',
        ca,
        '--tls-server-name',
        'x.internal',
      ],
      options: TEMPORAL_FLAG_OPTIONS,
    });
    const s = temporalSettings({ TEMPORAL_ADDRESS: 'env:7233', TEMPORAL_NAMESPACE: 'env' }, values);
    expect(s).toMatchObject({
      address: 'flag:7233',
      namespace: 'flagged',
      tlsCaPath: ca,
      tlsServerName: 'x.internal',
    });
  });

  it('rejects a certificate without its key, and a TEMPORAL_TLS that is not a boolean, naming the variable', () => {
    expect(() => temporalSettings({ TEMPORAL_TLS_CERT: crt })).toThrow(
      /TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY/,
    );
    expect(() => temporalSettings({}, { 'tls-key': key })).toThrow(TemporalSettingsError);
    expect(() => temporalSettings({ TEMPORAL_TLS: 'yes please' })).toThrow(
      /TEMPORAL_TLS must be true or false/,
    );
  });

  it('turns TLS on for any TLS setting or an API key, and off only when told', () => {
    expect(usesTls(temporalSettings({ TEMPORAL_TLS: 'true' }))).toBe(true);
    expect(usesTls(temporalSettings({ TEMPORAL_TLS_CA: ca }))).toBe(true);
    expect(usesTls(temporalSettings({ TEMPORAL_TLS_SERVER_NAME: 'n' }))).toBe(true);
    expect(usesTls(temporalSettings({ TEMPORAL_API_KEY: 'k' }))).toBe(true);
    expect(usesTls(temporalSettings({ TEMPORAL_API_KEY: 'k', TEMPORAL_TLS: 'false' }))).toBe(false);
  });
});

describe('temporalConnectionOptions', () => {
  it('is plain address for a plaintext server', async () => {
    expect(await temporalConnectionOptions(temporalSettings({ TEMPORAL_ADDRESS: 'a:1' }))).toEqual({
      address: 'a:1',
    });
  });

  it('reads the PEM files into the SDK TLS config (mTLS, CA, server name)', async () => {
    const options = await temporalConnectionOptions(
      temporalSettings({
        TEMPORAL_TLS_CERT: crt,
        TEMPORAL_TLS_KEY: key,
        TEMPORAL_TLS_CA: ca,
        TEMPORAL_TLS_SERVER_NAME: 'frontend.internal',
      }),
    );
    expect(options.tls).toEqual({
      clientCertPair: { crt: Buffer.from('CLIENT CERT'), key: Buffer.from('CLIENT KEY') },
      serverRootCACertificate: Buffer.from('CA CERT'),
      serverNameOverride: 'frontend.internal',
    });
    expect(options.apiKey).toBeUndefined();
  });

  it('gives Temporal Cloud an API key over TLS with the system roots', async () => {
    const options = await temporalConnectionOptions(
      temporalSettings({ TEMPORAL_ADDRESS: 'ns.acct.tmprl.cloud:7233', TEMPORAL_API_KEY: 'k1' }),
    );
    expect(options).toEqual({ address: 'ns.acct.tmprl.cloud:7233', tls: {}, apiKey: 'k1' });
  });

  it('names the variable and path of a file it cannot read', async () => {
    const s = temporalSettings({ TEMPORAL_TLS_CA: join(dir, 'missing.pem') });
    await expect(temporalConnectionOptions(s)).rejects.toThrow(
      /cannot read TEMPORAL_TLS_CA \(.*missing\.pem\): ENOENT/,
    );
  });
});

describe('messages', () => {
  it('describe where and how, never the API key', () => {
    const s = temporalSettings({
      TEMPORAL_ADDRESS: 't:7233',
      TEMPORAL_NAMESPACE: 'ml',
      TEMPORAL_TLS_CERT: crt,
      TEMPORAL_TLS_KEY: key,
      TEMPORAL_API_KEY: 'top-secret',
    });
    expect(describeTemporal(s)).toBe('t:7233 (namespace ml, mTLS + API key)');
    const err = temporalConnectError(new Error('handshake failed'), s);
    expect(err.message).toContain(
      'cannot connect to Temporal at t:7233 (namespace ml, mTLS + API key): handshake failed',
    );
    expect(err.message).toContain('TEMPORAL_TLS_CA');
    expect(err.message).not.toContain('top-secret');
  });
});
