/**
 * Addresses a client can dial, for a server that listens on `host`. A wildcard listen address
 * (0.0.0.0, ::) means every interface, and is no address to connect to: URLs use loopback, and
 * people are told the machine's own addresses as well.
 */
import { networkInterfaces } from 'node:os';

const WILDCARDS = new Set(['0.0.0.0', '::', '[::]', '']);

export function isWildcardHost(host: string): boolean {
  return WILDCARDS.has(host);
}

/** The host part of a URL for `host`: loopback for a wildcard, brackets around IPv6 literals. */
export function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '') return '127.0.0.1';
  if (host === '::' || host === '[::]') return '[::1]';
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}

/**
 * `url` with its host replaced by each external address of this machine, when the server
 * listens on a wildcard; otherwise nothing (the URL itself is the address). IPv4 only for
 * 0.0.0.0; both families for `::` (which also accepts IPv4 on most systems).
 */
export function otherAddresses(url: string, host: string): string[] {
  if (!isWildcardHost(host)) return [];
  const families = host === '0.0.0.0' || host === '' ? ['IPv4'] : ['IPv4', 'IPv6'];
  const out: string[] = [];
  for (const list of Object.values(networkInterfaces())) {
    for (const address of list ?? []) {
      if (address.internal || !families.includes(address.family)) continue;
      // Link-local IPv6 needs a zone id to be dialled; it is no address to print.
      if (address.family === 'IPv6' && address.address.toLowerCase().startsWith('fe80:')) continue;
      const u = new URL(url);
      u.hostname = address.family === 'IPv6' ? `[${address.address}]` : address.address;
      out.push(u.toString());
    }
  }
  return out;
}
