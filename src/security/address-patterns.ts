import net from 'node:net';
import { SecurityError } from '../errors.js';

/** One entry of a `from=` list: a negation flag and either a network or a wildcard pattern. */
interface Entry {
  readonly negated: boolean;
  readonly network: { readonly list: net.BlockList; readonly family: 'ipv4' | 'ipv6' } | null;
  readonly glob: RegExp;
}

/** A parsed `from="pattern,!pattern,10.0.0.0/8"` list (OpenSSH's match_host_and_ip). */
export interface AddressPatterns {
  readonly text: string;
  /** True when `address` matches some entry and no negated one. */
  matches(address: string): boolean;
}

/**
 * Parses a comma-separated pattern list as OpenSSH does for `from=`: `*` and `?` wildcards, a leading `!`
 * negates (a negated match refuses the key whatever else matches), `ADDR/BITS` is a network in CIDR form.
 * framesh does no reverse DNS (OpenSSH's default `UseDNS no`), so patterns are matched against the
 * client's address text. A malformed network (bad prefix length, host bits set) makes the line unusable
 * instead of silently matching nothing.
 */
export function parseAddressPatterns(text: string): AddressPatterns {
  const entries: Entry[] = text.split(',').map((raw) => {
    const negated = raw.startsWith('!');
    const pattern = negated ? raw.slice(1) : raw;
    if (pattern === '') throw new SecurityError('KEY_INVALID', `from="${text}" has an empty pattern`);
    return {
      negated,
      network: pattern.includes('/') ? parseNetwork(pattern, text) : exactAddress(pattern),
      glob: globToRegExp(pattern),
    };
  });
  return {
    text,
    matches(address: string): boolean {
      const ip = normaliseAddress(address);
      const family = net.isIPv4(ip) ? 'ipv4' : 'ipv6';
      let matched = false;
      for (const entry of entries) {
        const hit = entry.network
          ? entry.network.family === family && entry.network.list.check(ip, family)
          : entry.glob.test(ip);
        if (hit && entry.negated) return false;
        if (hit) matched = true;
      }
      return matched;
    },
  };
}

/** An IPv4 client on a dual-stack socket shows as `::ffff:a.b.c.d`; OpenSSH matches it as IPv4. */
export function normaliseAddress(address: string): string {
  const lower = address.toLowerCase();
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(lower);
  return mapped ? (mapped[1] as string) : lower;
}

function exactAddress(pattern: string): Entry['network'] {
  const family = net.isIPv4(pattern) ? 'ipv4' : net.isIPv6(pattern) ? 'ipv6' : null;
  if (!family) return null;
  const list = new net.BlockList();
  list.addAddress(pattern, family);
  return { list, family };
}

function parseNetwork(pattern: string, text: string): Entry['network'] {
  const [address = '', bitsText = '', ...rest] = pattern.split('/');
  const family = net.isIPv4(address) ? 'ipv4' : net.isIPv6(address) ? 'ipv6' : null;
  const maxBits = family === 'ipv4' ? 32 : 128;
  const bits = /^\d{1,3}$/.test(bitsText) ? Number(bitsText) : -1;
  if (!family || rest.length > 0 || bits < 0 || bits > maxBits) {
    throw new SecurityError(
      'KEY_INVALID',
      `from="${text}": ${JSON.stringify(pattern)} is not an address/prefix-length network`,
    );
  }
  if (hasHostBits(addressBytes(address, family), bits)) {
    throw new SecurityError('KEY_INVALID', `from="${text}": ${pattern} has bits set beyond its /${bits} prefix`);
  }
  const list = new net.BlockList();
  list.addSubnet(address, bits, family);
  return { list, family };
}

function hasHostBits(bytes: number[], bits: number): boolean {
  return bytes.some((byte, i) => {
    const keep = Math.max(0, Math.min(8, bits - i * 8));
    return (byte & (0xff >> keep)) !== 0;
  });
}

/** The 4 or 16 bytes of an address already checked by net.isIPv4/isIPv6. */
function addressBytes(address: string, family: 'ipv4' | 'ipv6'): number[] {
  if (family === 'ipv4') return address.split('.').map(Number);
  // A trailing dotted quad (::ffff:1.2.3.4) is two 16-bit groups.
  const text = address.replace(
    /(\d+)\.(\d+)\.(\d+)\.(\d+)$/,
    (_m, a, b, c, d) => `${((Number(a) << 8) | Number(b)).toString(16)}:${((Number(c) << 8) | Number(d)).toString(16)}`,
  );
  const [head = '', tail] = text.split('::');
  const groups = (part: string | undefined): number[] => (part ? part.split(':').map((g) => parseInt(g, 16)) : []);
  const before = groups(head);
  const after = groups(tail);
  const zeros = new Array<number>(8 - before.length - after.length).fill(0);
  return [...before, ...zeros, ...after].flatMap((g) => [g >> 8, g & 0xff]);
}

function globToRegExp(pattern: string): RegExp {
  const body = [...pattern.toLowerCase()]
    .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${body}$`);
}
