import net from 'node:net';
import type { Request } from 'express';

/**
 * The client address a token-less request is counted by. Behind the gateway every connection comes from
 * nginx, so its X-Real-IP (which it sets from the peer, overwriting whatever the client sent) names the
 * client; from anyone else those headers are the client's own words and are ignored.
 */
export function trustedProxies(entries: readonly string[]): net.BlockList {
  const list = new net.BlockList();
  for (const entry of entries) {
    const [address = '', prefix] = entry.split('/');
    const family = net.isIPv6(address) ? 'ipv6' : 'ipv4';
    if (net.isIP(address) === 0) throw new Error(`trusted proxy "${entry}" is not an IP address or CIDR block`);
    if (prefix === undefined) list.addAddress(address, family);
    else list.addSubnet(address, Number(prefix), family);
  }
  return list;
}

function normalized(address: string): string {
  // An IPv4 peer on a dual-stack socket shows as ::ffff:a.b.c.d.
  return address.startsWith('::ffff:') && net.isIPv4(address.slice(7)) ? address.slice(7) : address;
}

function isTrusted(list: net.BlockList, address: string): boolean {
  return list.check(address, net.isIPv6(address) ? 'ipv6' : 'ipv4');
}

export function clientAddress(req: Request, proxies: net.BlockList): string {
  const peer = normalized(req.socket.remoteAddress ?? '');
  if (peer === '' || !isTrusted(proxies, peer)) return peer || 'unknown';
  const realIp = req.get('x-real-ip')?.trim();
  if (realIp && net.isIP(normalized(realIp)) !== 0) return normalized(realIp);
  // The rightmost hop a trusted proxy did not add is the client (the leftmost is the client's own claim).
  const hops = (req.get('x-forwarded-for') ?? '').split(',').map((h) => normalized(h.trim())).filter((h) => net.isIP(h) !== 0);
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = hops[i];
    if (hop !== undefined && !isTrusted(proxies, hop)) return hop;
  }
  return peer;
}
