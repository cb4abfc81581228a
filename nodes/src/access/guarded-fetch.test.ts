import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { text } from 'node:stream/consumers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addressRefusal } from './address';
import { guardedGet, urlRefusal, type Resolver } from './guarded-fetch';
import { dataAccessPolicyFromEnv, parseAllowEntry } from './policy';
import { DataAccessRefused } from './refusal';

const policyOf = (allow = '') =>
  dataAccessPolicyFromEnv({ KILN_FETCH_ALLOW: allow }, { cwd: '/srv', home: '/srv/.kiln' });
const strict = policyOf();

// Two servers on 127.0.0.1: "data" (allow-listed by port in most tests) and "inner" (never allowed:
// it stands for the API, Temporal's HTTP API or a cloud metadata endpoint).
let data: Server;
let inner: Server;
let dataPort: number;
let innerPort: number;
const listen = async (server: Server) => {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return (server.address() as AddressInfo).port;
};
beforeAll(async () => {
  inner = createServer((_req, res) => res.end('secret'));
  innerPort = await listen(inner);
  data = createServer((req, res) => {
    const [path, query] = (req.url ?? '').split('?');
    if (path === '/data.csv') return res.end('x\n1\n');
    if (path === '/to') return res.writeHead(302, { location: decodeURIComponent(query ?? '') }).end();
    if (path === '/hop') {
      const n = Number(query);
      return res.writeHead(307, { location: n > 0 ? `/hop?${n - 1}` : '/data.csv' }).end();
    }
    res.writeHead(404).end();
  });
  dataPort = await listen(data);
});
afterAll(() => {
  data.close();
  inner.close();
});

const refusal = async (uri: string, policy = strict, resolver?: Resolver) => {
  const error = await guardedGet(uri, policy, { resolver }).catch((e: unknown) => e);
  expect(error, uri).toBeInstanceOf(DataAccessRefused);
  return (error as Error).message;
};

describe('address classification', () => {
  it('refuses every address that is not global unicast, and names the range and the setting', () => {
    const refused: Record<string, RegExp> = {
      '127.0.0.1': /loopback/,
      '127.255.0.9': /loopback/,
      '10.1.2.3': /private/,
      '172.16.0.1': /private/,
      '192.168.1.1': /private/,
      '169.254.169.254': /link-local/,
      '100.64.0.1': /carrier-grade NAT/,
      '0.0.0.0': /unspecified/,
      '224.0.0.1': /multicast/,
      '255.255.255.255': /broadcast/,
      '::1': /loopback/,
      '::': /unspecified/,
      'fe80::1': /link-local/,
      'fc00::1': /unique-local/,
      'fd12:3456::1': /unique-local/,
      'ff02::1': /multicast/,
      '::ffff:127.0.0.1': /IPv4-mapped/,
      '::ffff:8.8.8.8': /IPv4-mapped/,
      '64:ff9b::7f00:1': /NAT64/,
      '2002:7f00:1::': /6to4/,
      '::7f00:1': /not a global unicast/, // IPv4-compatible ::127.0.0.1
    };
    for (const [address, why] of Object.entries(refused)) {
      const reason = addressRefusal(strict, address, 80);
      expect(reason, address).toMatch(why);
      expect(reason).toContain('KILN_FETCH_ALLOW');
    }
    for (const address of ['8.8.8.8', '1.1.1.1', '2606:4700:4700::1111', '2001:4860:4860::8888']) {
      expect(addressRefusal(strict, address, 80), address).toBeUndefined();
    }
  });

  it('allows what KILN_FETCH_ALLOW names: addresses, CIDR ranges, hosts, optionally with a port', () => {
    const p = policyOf('10.0.0.0/8, 127.0.0.1:8080 [::1]:9000,data.internal,fd00::/8');
    expect(addressRefusal(p, '10.9.9.9', 80)).toBeUndefined();
    expect(addressRefusal(p, '::ffff:10.9.9.9', 80)).toBeUndefined(); // the same address, IPv4-mapped
    expect(addressRefusal(p, '127.0.0.1', 8080)).toBeUndefined();
    expect(addressRefusal(p, '127.0.0.1', 8081)).toMatch(/loopback/);
    expect(addressRefusal(p, '::1', 9000)).toBeUndefined();
    expect(addressRefusal(p, 'fd00::5', 1)).toBeUndefined();
    expect(addressRefusal(p, '192.168.0.1', 80)).toMatch(/private/);
    expect(urlRefusal(new URL('http://data.internal/x'), p)).toBeUndefined();
    expect(urlRefusal(new URL('http://DATA.internal./x'), p)).toBeUndefined();
    for (const bad of ['10.0.0.0/33', 'host:port', 'a b/c', 'http://x', '1.2.3.4:0', 'ex_ample.com']) {
      expect(() => parseAllowEntry(bad), bad).toThrow('KILN_FETCH_ALLOW: cannot read');
    }
    expect(() => policyOf('10.0.0.0/99')).toThrow('KILN_FETCH_ALLOW');
  });
});

describe('http(s) URLs as written', () => {
  it('refuses IP literals in every spelling the URL parser accepts, and localhost names', () => {
    for (const uri of [
      'http://127.0.0.1/',
      'http://2130706433/', // decimal
      'http://017700000001/', // octal
      'http://0x7f.1/', // hex, short form
      'http://127.1/',
      'http://[::1]/',
      'http://[::ffff:127.0.0.1]/',
      'http://[::ffff:7f00:1]/',
      'http://[0:0:0:0:0:ffff:127.0.0.1]/',
      'http://169.254.169.254/latest/meta-data/',
      'http://[fe80::1]/',
      'http://0/',
      'http://localhost:7233/',
      'http://api.localhost/',
      'http://LOCALHOST./',
    ]) {
      expect(urlRefusal(new URL(uri), strict), uri).toBeDefined();
    }
    expect(urlRefusal(new URL('ftp://example.com/x'), strict)).toContain('only http and https');
    expect(urlRefusal(new URL('https://example.com/x.csv'), strict)).toBeUndefined();
  });
});

describe('guardedGet', () => {
  it('fetches from an allow-listed loopback server', async () => {
    const { response } = await guardedGet(
      `http://127.0.0.1:${dataPort}/data.csv`,
      policyOf(`127.0.0.1:${dataPort}`),
    );
    expect(response.statusCode).toBe(200);
    expect(await text(response)).toBe('x\n1\n');
  });

  it('refuses loopback that is not allow-listed, before connecting', async () => {
    expect(await refusal(`http://127.0.0.1:${innerPort}/`)).toContain('127.0.0.1 is a loopback address');
    expect(await refusal(`http://2130706433:${innerPort}/`)).toContain('loopback');
    expect(await refusal(`http://[::ffff:127.0.0.1]:${innerPort}/`)).toContain('IPv4-mapped');
    expect(await refusal(`http://localhost:${innerPort}/`)).toContain('loopback');
  });

  it('refuses a host name that resolves to loopback or a private address, after resolution', async () => {
    const toLoopback: Resolver = (_h, _o, cb) => cb(null, [{ address: '127.0.0.1', family: 4 }]);
    const message = await refusal(`http://data.example.com:${innerPort}/`, strict, toLoopback);
    expect(message).toContain('data.example.com resolves to 127.0.0.1 is a loopback address');
    const toPrivate: Resolver = (_h, _o, cb) =>
      cb(null, [
        { address: '10.0.0.7', family: 4 },
        { address: 'fd00::7', family: 6 },
      ]);
    expect(await refusal('http://intranet.example.com/', strict, toPrivate)).toMatch(
      /10\.0\.0\.7 is a private address.*fd00::7 is a unique-local/,
    );
  });

  it('connects only to the addresses it checked (a name answering public and loopback addresses)', async () => {
    // 192.0.2.1 is TEST-NET-1 (reserved, refused); the only allowed answer is the allow-listed one.
    const mixed: Resolver = (_h, _o, cb) =>
      cb(null, [
        { address: '127.0.0.2', family: 4 },
        { address: '127.0.0.1', family: 4 },
      ]);
    const { response } = await guardedGet(
      `http://mixed.example.com:${dataPort}/data.csv`,
      policyOf('127.0.0.1/32'),
      { resolver: mixed },
    );
    expect(await text(response)).toBe('x\n1\n');
  });

  it('checks every redirect: to a loopback port that is not allowed, to IPv6 loopback, to file://', async () => {
    const p = policyOf(`127.0.0.1:${dataPort}`);
    const via = (target: string) => `http://127.0.0.1:${dataPort}/to?${encodeURIComponent(target)}`;
    const message = await refusal(via(`http://127.0.0.1:${innerPort}/`), p);
    expect(message).toContain(
      `it redirects to http://127.0.0.1:${innerPort}/, which is refused: 127.0.0.1 is a loopback address`,
    );
    await refusal(via(`http://[::1]:${innerPort}/`), p);
    await refusal(via(`http://2130706433:${innerPort}/`), p);
    await refusal(via(`http://localhost:${innerPort}/`), p);
    expect(await refusal(via('file:///etc/passwd'), p)).toContain('only http and https');
    // A redirect inside the allowed server is followed.
    const { response } = await guardedGet(via('/data.csv'), p);
    expect(await text(response)).toBe('x\n1\n');
  });

  it('follows at most 5 redirects', async () => {
    const p = policyOf(`127.0.0.1:${dataPort}`);
    const { response } = await guardedGet(`http://127.0.0.1:${dataPort}/hop?4`, p);
    expect(await text(response)).toBe('x\n1\n');
    await expect(guardedGet(`http://127.0.0.1:${dataPort}/hop?5`, p)).rejects.toThrow(
      'more than 5 redirects',
    );
  });
});
