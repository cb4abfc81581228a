import ipaddr from 'ipaddr.js';
import { FETCH_ALLOW_SETTING, type DataAccessPolicy } from './policy';

/** Names of the ranges ipaddr.js classifies, as a refusal says them. */
const RANGE_NAMES: Record<string, string> = {
  unspecified: 'the unspecified address',
  broadcast: 'the broadcast address',
  multicast: 'a multicast address',
  linkLocal: 'a link-local address',
  loopback: 'a loopback address',
  carrierGradeNat: 'a carrier-grade NAT address (100.64.0.0/10)',
  private: 'a private address (RFC 1918)',
  reserved: 'a reserved address',
  benchmarking: 'a benchmarking address',
  amt: 'an AMT relay address',
  as112: 'an AS112 address',
  as112v6: 'an AS112 address',
  uniqueLocal: 'a unique-local address (fc00::/7)',
  ipv4Mapped: 'an IPv4-mapped IPv6 address',
  rfc6145: 'an IPv4-translated address (RFC 6145)',
  rfc6052: 'a NAT64 address (64:ff9b::/96)',
  '6to4': 'a 6to4 address (2002::/16)',
  teredo: 'a Teredo address (2001::/32)',
  orchid2: 'an ORCHIDv2 address',
  droneRemoteIdProtocolEntityTags: 'a DRIP entity tag',
  deprecatedSiteLocal: 'a site-local address (fec0::/10)',
  discard: 'a discard-only address (100::/64)',
};

const GLOBAL_UNICAST_V6 = ipaddr.parseCIDR('2000::/3');

/** The address of a URL's host when it is an IP literal (`[::1]`, `127.0.0.1`), else undefined. */
export function ipLiteral(hostname: string): ipaddr.IPv4 | ipaddr.IPv6 | undefined {
  const bare = hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname;
  // The URL parser has already turned 2130706433, 0x7f.1 and 017700000001 into 127.0.0.1.
  if (ipaddr.IPv4.isValidFourPartDecimal(bare)) return ipaddr.IPv4.parse(bare);
  if (ipaddr.IPv6.isValid(bare)) return ipaddr.IPv6.parse(bare);
  return undefined;
}

/** Whether the allow-list names this host (and port). */
export function hostAllowed(policy: DataAccessPolicy, hostname: string, port: number): boolean {
  const host = hostname.toLowerCase().replace(/\.$/, '');
  return policy.fetchAllow.some(
    (e) => e.kind === 'host' && e.host === host && (e.port === undefined || e.port === port),
  );
}

/**
 * Why `http(s)://` may not connect to `address` on `port`, or undefined when it may: only global
 * unicast addresses are reachable unless `KILN_FETCH_ALLOW` names the address (or a range holding
 * it). IPv4-mapped, NAT64, 6to4 and Teredo addresses are refused too, since they can carry a
 * private IPv4 address.
 */
export function addressRefusal(
  policy: DataAccessPolicy,
  address: string | ipaddr.IPv4 | ipaddr.IPv6,
  port: number,
): string | undefined {
  const ip = typeof address === 'string' ? ipaddr.parse(address) : address;
  const forms = [ip];
  if (ip.kind() === 'ipv6' && (ip as ipaddr.IPv6).isIPv4MappedAddress())
    forms.push((ip as ipaddr.IPv6).toIPv4Address());
  const allowed = policy.fetchAllow.some(
    (e) =>
      e.kind === 'range' &&
      (e.port === undefined || e.port === port) &&
      forms.some((f) => f.kind() === e.range[0].kind() && f.match(e.range)),
  );
  if (allowed) return undefined;
  const range = ip.range();
  if (range === 'unicast') {
    // IPv6 global unicast is 2000::/3; the rest (e.g. IPv4-compatible ::127.0.0.1) is not public.
    if (ip.kind() === 'ipv4' || ip.match(GLOBAL_UNICAST_V6)) return undefined;
    return `${ip.toString()} is not a global unicast address (2000::/3); allow it with ${FETCH_ALLOW_SETTING} (a host, address or CIDR list)`;
  }
  return `${ip.toString()} is ${RANGE_NAMES[range] ?? `in the ${range} range`}; allow it with ${FETCH_ALLOW_SETTING} (a host, address or CIDR list)`;
}
