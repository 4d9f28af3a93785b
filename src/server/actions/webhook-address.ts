/**
 * Which addresses a webhook may call. A URL an automation author typed must not reach the server's
 * own machine or its private network (SSRF): unless the server allows private addresses, the host
 * is resolved first and every address it resolves to must be public — loopback, private,
 * link-local, unspecified, multicast, reserved and CGNAT ranges are refused, also in their
 * IPv4-mapped, IPv4-compatible, NAT64 and 6to4 IPv6 forms. The request then connects to the
 * address that was checked ({@link pinnedLookup}), so a second DNS answer (rebinding) cannot
 * point it elsewhere.
 */
import dns from 'node:dns/promises';
import net, { type LookupFunction } from 'node:net';
import { ActionFailure } from './action-failure.ts';

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

/** Resolves a host name to all its addresses. */
export type ResolveHost = (host: string) => Promise<ResolvedAddress[]>;

/** The system resolver (`getaddrinfo`, so `/etc/hosts` counts, as it would for any client). */
export const systemResolve: ResolveHost = async (host) =>
  (await dns.lookup(host, { all: true, verbatim: true })).map((a) => ({
    address: a.address,
    family: a.family === 6 ? 6 : 4,
  }));

type Subnet = readonly [network: string, prefix: number];

/** Refused ranges, by what they are (the word goes into the refusal). */
const REFUSED: readonly { kind: string; v4: readonly Subnet[]; v6: readonly Subnet[] }[] = [
  { kind: 'unspecified', v4: [['0.0.0.0', 8]], v6: [['::', 128]] },
  { kind: 'loopback', v4: [['127.0.0.0', 8]], v6: [['::1', 128]] },
  {
    kind: 'private',
    v4: [
      ['10.0.0.0', 8],
      ['172.16.0.0', 12],
      ['192.168.0.0', 16],
    ],
    // fc00::/7 unique local, fec0::/10 the deprecated site-local.
    v6: [
      ['fc00::', 7],
      ['fec0::', 10],
    ],
  },
  { kind: 'link-local', v4: [['169.254.0.0', 16]], v6: [['fe80::', 10]] },
  { kind: 'shared (CGNAT)', v4: [['100.64.0.0', 10]], v6: [] },
  { kind: 'multicast', v4: [['224.0.0.0', 4]], v6: [['ff00::', 8]] },
  // 240/4 and the broadcast address: never a host on the internet.
  { kind: 'reserved', v4: [['240.0.0.0', 4]], v6: [] },
];

/** One `BlockList` per kind; Node's `BlockList` also matches IPv4-mapped IPv6 against IPv4 rules. */
const BLOCKS = REFUSED.map(({ kind, v4, v6 }) => {
  const list = new net.BlockList();
  for (const [network, prefix] of v4) list.addSubnet(network, prefix, 'ipv4');
  for (const [network, prefix] of v6) list.addSubnet(network, prefix, 'ipv6');
  return { kind, list };
});

/** The eight 16-bit groups of an IPv6 address, or null when it is not one. */
function ipv6Groups(address: string): number[] | null {
  let host: string;
  try {
    // The URL parser writes IPv6 canonically: lower-case hex, one `::`, no dotted quad.
    host = new URL(`http://[${address}]/`).hostname.slice(1, -1);
  } catch {
    return null;
  }
  const [head, tail] = host.split('::') as [string, string?];
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups =
    tail === undefined
      ? left
      : [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
  return groups.map((g) => Number.parseInt(g, 16));
}

const dotted = (high: number, low: number) => `${high >> 8}.${high & 0xff}.${low >> 8}.${low & 0xff}`;

/**
 * The IPv4 address inside an IPv4-mapped (::ffff:0:0/96), IPv4-compatible (::/96), NAT64
 * (64:ff9b::/96) or 6to4 (2002::/16) one.
 */
function embeddedIPv4(address: string): string | null {
  const g = ipv6Groups(address);
  if (!g) return null;
  const zeroFrom = (start: number) => g.slice(start, 6).every((x) => x === 0);
  const mapped = g.slice(0, 5).every((x) => x === 0) && g[5] === 0xffff;
  if (mapped || zeroFrom(0) || (g[0] === 0x64 && g[1] === 0xff9b && zeroFrom(2))) return dotted(g[6]!, g[7]!);
  if (g[0] === 0x2002) return dotted(g[1]!, g[2]!);
  return null;
}

/**
 * Why an address may not be called, as a phrase (`a loopback address`), or null when it is public.
 *
 * @example
 * addressRefusal('127.0.0.1'); // 'a loopback address'
 * addressRefusal('::ffff:10.0.0.1'); // 'a private address'
 */
export function addressRefusal(address: string): string | null {
  // A zone (`fe80::1%eth0`) only ever goes with link-local addresses; the range check needs it gone.
  const bare = address.split('%')[0]!;
  const family = net.isIP(bare);
  if (family === 0) return 'not an IP address';
  const type = family === 4 ? 'ipv4' : 'ipv6';
  for (const { kind, list } of BLOCKS)
    if (list.check(bare, type)) return `${/^[aeiou]/.test(kind) ? 'an' : 'a'} ${kind} address`;
  if (family === 6) {
    const inner = embeddedIPv4(bare);
    if (inner !== null) {
      const refusal = addressRefusal(inner);
      if (refusal) return `${refusal} in IPv6 form`;
    }
  }
  return null;
}

/** A URL's host as a resolver and `net.connect` take it (IPv6 without brackets). */
export const bareHost = (url: URL): string => url.hostname.replace(/^\[(.*)\]$/, '$1');

/**
 * Resolves a webhook URL's host to the one address the request will connect to, refusing it (an
 * {@link ActionFailure}) when any address it resolves to is not public and private addresses are
 * not allowed. A DNS failure is thrown as it is (the caller decides whether to retry).
 */
export async function checkWebhookHost(
  url: URL,
  options: { allowPrivateAddresses: boolean; resolve?: ResolveHost; shown: string },
): Promise<ResolvedAddress> {
  const host = bareHost(url);
  const literal = net.isIP(host);
  const addresses: ResolvedAddress[] =
    literal !== 0
      ? [{ address: host, family: literal as 4 | 6 }]
      : await (options.resolve ?? systemResolve)(host);
  const first = addresses[0];
  if (!first) throw new ActionFailure(`Cannot call ${options.shown}: '${host}' resolves to no address.`);
  if (options.allowPrivateAddresses) return first;
  // Every address counts, not only the first: a name with one public and one private record
  // would otherwise reach the private one whenever the resolver's order changes.
  for (const { address } of addresses) {
    const refusal = addressRefusal(address);
    if (refusal)
      throw new ActionFailure(
        `Refused to call ${options.shown}: ${literal ? `'${host}' is` : `'${host}' resolves to ${address},`} ${refusal}. ` +
          'Webhooks call only public addresses unless the server allows private ones (flowtrail server --allow-private-webhooks).',
      );
  }
  return first;
}

/** A `lookup` for `http.request` that answers with the checked address only, whatever DNS says now. */
export function pinnedLookup(checked: ResolvedAddress): LookupFunction {
  return (_hostname, options, callback) => {
    if (options.all) callback(null, [{ address: checked.address, family: checked.family }]);
    else callback(null, checked.address, checked.family);
  };
}
