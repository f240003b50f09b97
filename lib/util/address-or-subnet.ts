import { isIP } from 'node:net';

/** `10.0.0.0/8` → address, family and prefix; `::1` → no prefix; anything else → undefined. */
export function parseAddressOrSubnet(entry: string): { address: string; family: 'ipv4' | 'ipv6'; prefix?: number } | undefined {
  const [address = '', prefixText, extra] = entry.trim().split('/');
  const version = isIP(address);
  if (version === 0 || extra !== undefined) return undefined;
  const family = version === 6 ? 'ipv6' : 'ipv4';
  if (prefixText === undefined) return { address, family };
  const prefix = Number(prefixText);
  if (!/^\d+$/.test(prefixText) || prefix > (version === 6 ? 128 : 32)) return undefined;
  return { address, family, prefix };
}
