import { lookup as dnsLookup, type LookupAddress, type LookupAllOptions } from 'node:dns';
import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { addressRefusal, hostAllowed, ipLiteral } from './address';
import type { DataAccessPolicy } from './policy';
import { DataAccessRefused } from './refusal';

/** Redirects followed before giving up (browsers allow 20; data sources need few). */
export const MAX_REDIRECTS = 5;
const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/** Why an `http(s)://` URL is refused as written (scheme, `localhost`, an IP literal), or undefined. */
export function urlRefusal(url: URL, policy: DataAccessPolicy): string | undefined {
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    return `${url.protocol}// is not fetched (only http and https)`;
  const port = portOf(url);
  if (hostAllowed(policy, url.hostname, port)) return undefined;
  const literal = ipLiteral(url.hostname);
  if (literal) return addressRefusal(policy, literal, port);
  const host = url.hostname.toLowerCase().replace(/\.$/, '');
  // RFC 6761: localhost names are always loopback, whatever a resolver says.
  if (host === 'localhost' || host.endsWith('.localhost')) return addressRefusal(policy, '127.0.0.1', port);
  return undefined;
}

function portOf(url: URL): number {
  return Number(url.port || (url.protocol === 'https:' ? 443 : 80));
}

/**
 * A DNS lookup that answers only with addresses the policy allows, so the connection goes to an
 * address that was checked (a second resolution cannot rebind the name to another one).
 */
function guardedLookup(
  policy: DataAccessPolicy,
  port: number,
  refuse: (reason: string) => Error,
  resolver: Resolver,
): LookupFunction {
  return (hostname, options, callback) => {
    resolver(hostname, { ...options, all: true }, (error, found: LookupAddress[]) => {
      if (error) return callback(error, '', 0);
      const reasons = found.map((a) => addressRefusal(policy, a.address, port));
      const allowed = found.filter((_, i) => reasons[i] === undefined);
      if (allowed.length === 0) {
        return callback(
          refuse(`${hostname} resolves to ${reasons.join('; ')}`) as NodeJS.ErrnoException,
          '',
          0,
        );
      }
      if (options.all) return (callback as (e: null, a: LookupAddress[]) => void)(null, allowed);
      callback(null, allowed[0]!.address, allowed[0]!.family);
    });
  };
}

/** Resolves a host name to all its addresses (`dns.lookup` with `all: true`). */
export type Resolver = (
  hostname: string,
  options: LookupAllOptions,
  callback: (error: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void,
) => void;

const systemResolver: Resolver = (hostname, options, callback) => dnsLookup(hostname, options, callback);

interface GetOptions {
  signal?: AbortSignal | undefined;
  /** Name resolution (default `dns.lookup`); tests give names addresses without touching DNS. */
  resolver?: Resolver | undefined;
}

function get(
  url: URL,
  policy: DataAccessPolicy,
  refuse: (reason: string) => Error,
  { signal, resolver = systemResolver }: GetOptions,
): Promise<IncomingMessage> {
  const port = portOf(url);
  const lookup = hostAllowed(policy, url.hostname, port)
    ? undefined
    : guardedLookup(policy, port, refuse, resolver);
  const client = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    // agent: false — a fresh connection per request, never a pooled socket to an unchecked address.
    const request = client.get(
      url,
      { agent: false, ...(lookup ? { lookup } : {}), ...(signal ? { signal } : {}) },
      resolve,
    );
    request.on('error', reject);
  });
}

/**
 * GETs an `http(s)://` URL under the policy: the host must be public once resolved (loopback,
 * private, link-local, unique-local, CGNAT, IPv4-mapped, unspecified and multicast are refused)
 * unless `KILN_FETCH_ALLOW` names it, the connection goes to the address checked, and redirects
 * are followed here (at most {@link MAX_REDIRECTS}), each hop checked the same way.
 * Throws {@link DataAccessRefused} for a refused hop; the response may have any status.
 */
export async function guardedGet(
  uri: string,
  policy: DataAccessPolicy,
  options: GetOptions = {},
): Promise<{ response: IncomingMessage; url: URL }> {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    throw new DataAccessRefused(uri, 'not a valid URL');
  }
  for (let hop = 0; ; hop++) {
    const via = hop === 0 ? '' : `it redirects to ${url.href}, which is refused: `;
    const refuse = (reason: string) => new DataAccessRefused(uri, via + reason);
    const refusal = urlRefusal(url, policy);
    if (refusal) throw refuse(refusal);
    const response = await get(url, policy, refuse, options);
    const location = response.headers.location;
    if (!REDIRECTS.has(response.statusCode ?? 0) || !location) return { response, url };
    response.resume();
    if (hop >= MAX_REDIRECTS) throw new Error(`more than ${MAX_REDIRECTS} redirects (last to ${location})`);
    try {
      url = new URL(location, url);
    } catch {
      throw new Error(`a redirect to "${location}", which is not a URL`);
    }
  }
}
