import type { IncomingMessage } from 'node:http';
import { BlockList, isIP } from 'node:net';
import { parseAddressOrSubnet } from '../util/address-or-subnet.js';

/**
 * The address of the client behind a request. Behind a reverse proxy every request comes from
 * the proxy, which names the client in X-Forwarded-For; anyone can send that header, so it
 * counts only when the peer is a trusted proxy. The header lists the client first and each
 * proxy appends the address it received from, so it is read from the right: the first address
 * that is not a trusted proxy is the client.
 */
export class ClientAddress {
  private readonly trusted = new BlockList();
  private readonly any: boolean;

  /** `trusted`: addresses (`10.0.0.5`, `::1`) or CIDR subnets (`10.0.0.0/8`, `fd00::/8`). */
  constructor(trusted: readonly string[]) {
    for (const entry of trusted) {
      const parsed = parseAddressOrSubnet(entry);
      if (!parsed) throw new Error(`trusted proxy: not an IP address or CIDR subnet: ${JSON.stringify(entry)}`);
      if (parsed.prefix === undefined) this.trusted.addAddress(parsed.address, parsed.family);
      else this.trusted.addSubnet(parsed.address, parsed.prefix, parsed.family);
    }
    this.any = trusted.length > 0;
  }

  of(req: IncomingMessage): string {
    const peer = unmapped(req.socket.remoteAddress ?? 'unknown');
    if (!this.any || !this.isTrusted(peer)) return peer;
    const forwarded = req.headers['x-forwarded-for'];
    const hops = (Array.isArray(forwarded) ? forwarded.join(',') : (forwarded ?? ''))
      .split(',')
      .map((h) => unmapped(h.trim()))
      .filter((h) => h !== '');
    for (let i = hops.length - 1; i >= 0; i--) {
      const hop = hops[i] as string;
      // Garbage in the header ends the walk: what lies left of it cannot be trusted either.
      if (isIP(hop) === 0) return peer;
      if (!this.isTrusted(hop)) return hop;
    }
    // Only proxies in the chain: the leftmost one is as close to the client as can be told.
    return hops[0] ?? peer;
  }

  private isTrusted(address: string): boolean {
    const family = isIP(address);
    return family !== 0 && this.trusted.check(address, family === 6 ? 'ipv6' : 'ipv4');
  }
}

/** `::ffff:10.0.0.1` (an IPv4 peer on a dual-stack socket) → `10.0.0.1`. */
function unmapped(address: string): string {
  return address.startsWith('::ffff:') && isIP(address.slice(7)) === 4 ? address.slice(7) : address;
}
