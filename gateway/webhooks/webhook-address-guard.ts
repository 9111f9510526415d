/**
 * The server-side request forgery guard of webhooks (docs/security.md, item 5). A partner chooses the URL the
 * server POSTs to, so without a guard it can make the server reach what only the server can reach: its own
 * ports, the LAN, a cloud's metadata service. Refused by default:
 * - loopback, unspecified, private (RFC 1918, IPv6 unique-local), shared/CGNAT (100.64/10), link-local (which
 *   holds 169.254.169.254, the metadata address), multicast, broadcast, documentation, benchmarking and
 *   reserved ranges, and IPv6 forms that carry an IPv4 address (IPv4-mapped `::ffff:a.b.c.d`, NAT64, 6to4)
 *   judged by the address they carry;
 * - names that mean the host itself or a metadata service (`localhost`, `*.localhost`, `metadata.google.internal`, …).
 * Decimal and hex IPv4 forms (`2130706433`, `0x7f000001`) are parsed by the WHATWG URL parser into dotted form
 * before this module sees the host, so they are judged as `127.0.0.1`.
 *
 * Checked twice: at subscription (the literal address, or every address the name resolves to), and at every
 * delivery by the connection's own DNS lookup (`guardedLookup`, given to undici's connector), so a name that
 * resolves to a public address when subscribed and to 127.0.0.1 later (DNS rebinding) is refused when it
 * matters — the address checked is the address connected to.
 *
 * `WEBHOOK_ALLOW_HOSTS` (host names, IP addresses or CIDR ranges, comma-separated; empty by default) lets an
 * on-premises deployment, or a partner's test harness on one machine (`127.0.0.1`), deliver to such receivers.
 */
import { BlockList, isIP, type LookupFunction } from 'node:net';
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';

/** Thrown (with this code) by the lookup when every address of a name is refused. */
export const blockedAddressCode = 'EWEBHOOKADDRESS';

const blockedNames = ['localhost', 'localhost.localdomain', 'ip6-localhost', 'ip6-loopback', 'metadata', 'metadata.google.internal', 'metadata.goog', 'instance-data', 'instance-data.ec2.internal'];
const blockedSuffixes = ['.localhost', '.internal', '.local'];

const internal = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12], ['192.0.0.0', 24],
  ['192.0.2.0', 24], ['192.88.99.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15], ['198.51.100.0', 24], ['203.0.113.0', 24], ['224.0.0.0', 4], ['240.0.0.0', 4],
] as const) internal.addSubnet(network, prefix, 'ipv4');
for (const [network, prefix] of [
  ['::', 128], ['::1', 128], ['100::', 64], ['2001:db8::', 32], ['fc00::', 7], ['fe80::', 10], ['fec0::', 10], ['ff00::', 8],
] as const) internal.addSubnet(network, prefix, 'ipv6');

export class WebhookAllowList {
  readonly #names = new Set<string>();
  readonly #addresses = new BlockList();
  readonly entries: readonly string[];

  /** Throws a RangeError naming the first entry that is neither a host name, an address nor a CIDR range. */
  constructor(entries: readonly string[]) {
    this.entries = entries;
    for (const raw of entries) {
      const entry = raw.trim().toLowerCase().replace(/^\[(.*)\]$/, '$1');
      if (entry === '') continue;
      const [address, prefixText] = entry.split('/') as [string, string | undefined];
      const family = isIP(address);
      if (family !== 0) {
        const type = family === 4 ? 'ipv4' : 'ipv6';
        const prefix = prefixText === undefined ? (family === 4 ? 32 : 128) : Number(prefixText);
        if (!Number.isInteger(prefix) || prefix < 0 || prefix > (family === 4 ? 32 : 128)) throw new RangeError(`WEBHOOK_ALLOW_HOSTS: ${raw} has a bad prefix length`);
        this.#addresses.addSubnet(address, prefix, type);
      } else if (prefixText === undefined && /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/.test(entry) && entry.length <= 253) {
        this.#names.add(entry);
      } else {
        throw new RangeError(`WEBHOOK_ALLOW_HOSTS: ${raw} is not a host name, an IP address or a CIDR range`);
      }
    }
  }

  allowsName(hostname: string): boolean {
    return this.#names.has(hostname.toLowerCase());
  }

  allowsAddress(address: string): boolean {
    const family = isIP(address);
    return family !== 0 && this.#addresses.check(address, family === 4 ? 'ipv4' : 'ipv6');
  }
}

/** Parses the setting's text: comma-separated entries, blanks ignored. */
export function allowHostsOf(text: string): string[] {
  return text.split(',').map((entry) => entry.trim()).filter((entry) => entry !== '');
}

/** Whether an address is one a webhook may not reach by default. */
export function isInternalAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 0) return true;
  if (family === 4) return internal.check(address, 'ipv4');
  const embedded = embeddedIpv4(address);
  if (embedded !== undefined) return internal.check(embedded, 'ipv4');
  return internal.check(address, 'ipv6');
}

/** The IPv4 address an IPv6 one carries: IPv4-mapped and -compatible (::ffff:a.b.c.d, ::a.b.c.d), NAT64 (64:ff9b::/96), 6to4 (2002::/16). */
function embeddedIpv4(address: string): string | undefined {
  const words = expandIpv6(address);
  if (words === undefined) return undefined;
  const v4 = (high: number, low: number) => `${high >> 8}.${high & 255}.${low >> 8}.${low & 255}`;
  const zeros = (count: number) => words.slice(0, count).every((word) => word === 0);
  if (zeros(5) && (words[5] === 0xffff || words[5] === 0) && !(words[5] === 0 && words[6] === 0)) return v4(words[6] as number, words[7] as number);
  if (words[0] === 0x64 && words[1] === 0xff9b && words.slice(2, 6).every((word) => word === 0)) return v4(words[6] as number, words[7] as number);
  if (words[0] === 0x2002) return v4(words[1] as number, words[2] as number);
  return undefined;
}

function expandIpv6(address: string): number[] | undefined {
  let text = address.toLowerCase().split('%')[0] as string;
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted !== null) {
    const parts = (dotted[1] as string).split('.').map(Number);
    text = `${text.slice(0, dotted.index)}${(((parts[0] as number) << 8) | (parts[1] as number)).toString(16)}:${(((parts[2] as number) << 8) | (parts[3] as number)).toString(16)}`;
  }
  const [head, tail] = text.split('::') as [string, string | undefined];
  const headWords = head === '' ? [] : head.split(':');
  const tailWords = tail === undefined || tail === '' ? [] : tail.split(':');
  const fill = tail === undefined ? 0 : 8 - headWords.length - tailWords.length;
  const words = [...headWords, ...Array.from({ length: fill }, () => '0'), ...tailWords].map((word) => Number.parseInt(word, 16));
  return words.length === 8 && words.every((word) => Number.isInteger(word) && word >= 0 && word <= 0xffff) ? words : undefined;
}

export type AddressVerdict = { readonly ok: true } | { readonly ok: false; readonly reason: string };

/** The host of a webhook URL (as `new URL` gives it), judged without resolving: literal addresses and known names. */
export function judgeHost(hostname: string, allow: WebhookAllowList): AddressVerdict | 'resolve' {
  const host = hostname.toLowerCase().replace(/^\[(.*)\]$/, '$1').replace(/\.$/, '');
  if (allow.allowsName(host)) return { ok: true };
  if (isIP(host) !== 0) return allow.allowsAddress(host) || !isInternalAddress(host) ? { ok: true } : { ok: false, reason: `${host} is an internal address` };
  if (blockedNames.includes(host) || blockedSuffixes.some((suffix) => host.endsWith(suffix))) return { ok: false, reason: `${host} names this host or an internal service` };
  return 'resolve';
}

/** Every address a name resolves to must be allowed; one internal address refuses the name. */
export function judgeAddresses(hostname: string, addresses: readonly string[], allow: WebhookAllowList): AddressVerdict {
  if (addresses.length === 0) return { ok: false, reason: `${hostname} does not resolve` };
  const refused = addresses.find((address) => !allow.allowsAddress(address) && isInternalAddress(address));
  return refused === undefined ? { ok: true } : { ok: false, reason: `${hostname} resolves to an internal address` };
}

export type Resolver = (hostname: string) => Promise<string[]>;

export const systemResolver: Resolver = (hostname) =>
  new Promise((resolve, reject) => {
    dnsLookup(hostname, { all: true, verbatim: true }, (error, addresses: LookupAddress[]) => (error === null ? resolve(addresses.map((entry) => entry.address)) : reject(error)));
  });

/** At subscription: the URL's host, resolved when it is a name. */
export async function checkWebhookHost(hostname: string, allow: WebhookAllowList, resolver: Resolver = systemResolver): Promise<AddressVerdict> {
  const verdict = judgeHost(hostname, allow);
  if (verdict !== 'resolve') return verdict;
  let addresses: string[];
  try {
    addresses = await resolver(hostname);
  } catch {
    return { ok: false, reason: `${hostname} does not resolve` };
  }
  return judgeAddresses(hostname, addresses, allow);
}

/**
 * A `lookup` for net/tls connect: resolves like the system does, then refuses the connection (error code
 * `blockedAddressCode`) unless every address is allowed. Connecting to a literal address skips `lookup`, so
 * the sender judges literal hosts itself (`judgeHost`) before each attempt.
 */
export function guardedLookup(allow: WebhookAllowList, resolver: Resolver = systemResolver): LookupFunction {
  return (hostname, options, callback) => {
    const answer = callback as unknown as (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;
    const verdict = judgeHost(hostname, allow);
    if (verdict !== 'resolve') {
      if (!verdict.ok) return answer(blockedError(verdict.reason), '', 4);
    }
    resolver(hostname).then(
      (addresses) => {
        const judged = verdict === 'resolve' ? judgeAddresses(hostname, addresses, allow) : verdict;
        if (!judged.ok) return answer(blockedError(judged.reason), '', 4);
        const wanted = options.family === 4 || options.family === 6 ? addresses.filter((address) => isIP(address) === options.family) : addresses;
        const entries = wanted.map((address) => ({ address, family: isIP(address) }));
        const first = entries[0];
        if (first === undefined) return answer(Object.assign(new Error(`${hostname} has no address of the wanted family`), { code: 'ENOTFOUND' }), '', 4);
        if (options.all === true) return answer(null, entries);
        return answer(null, first.address, first.family);
      },
      (error: NodeJS.ErrnoException) => answer(error, '', 4),
    );
  };
}

function blockedError(reason: string): NodeJS.ErrnoException {
  const error: NodeJS.ErrnoException = new Error(`webhook address refused: ${reason}`);
  error.code = blockedAddressCode;
  return error;
}
