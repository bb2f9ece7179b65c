// The receive path shared by the daemon and the simulated LAN: decode the bytes once, then hand
// the advertisement to every router of that VRID and family, or count why nobody could take it.
import { decodeAdvertisement, type AdvertisementDecoder, type IpContext } from '../packet/advertisement.js';
import type { Rejection } from '../packet/rejection.js';
import type { ReceivedPacketInfo } from './receive-checks.js';
import type { ReceiveOutcome, VirtualRouter } from './virtual-router.js';

export interface InboundPacket {
  /** The VRRP message (IP payload). */
  readonly bytes: Uint8Array;
  readonly ip: IpContext;
  /** IPv4 TTL or IPv6 Hop Limit as received, when the socket layer knows it. */
  readonly ttl?: number;
  /** When it arrived on the clock's scale, when the socket layer knows it (ReceivedPacketInfo). */
  readonly receivedAt?: number;
}

export type DispatchResult =
  | { readonly kind: 'received'; readonly router: VirtualRouter; readonly outcome: ReceiveOutcome }
  /** Malformed; counted on the routers of the VRID it names, if the VRID byte was readable. */
  | { readonly kind: 'malformed'; readonly rejection: Rejection; readonly countedBy: readonly VirtualRouter[] }
  /** Well-formed, but no router here has this VRID on this family: someone else's virtual router. */
  | { readonly kind: 'foreign-vrid'; readonly vrid: number };

/** `decoder`: one that remembers the last packet of this VRID (the daemon's, per channel); else decoded anew. */
export function dispatchPacket(routers: Iterable<VirtualRouter>, packet: InboundPacket, decoder?: AdvertisementDecoder): DispatchResult[] {
  const vrid = packet.bytes[1];
  const matching: VirtualRouter[] = [];
  for (const router of routers) if (router.config.vrid === vrid && router.config.family === packet.ip.family) matching.push(router);
  const decoded = decoder ? decoder.decode(packet.bytes, packet.ip) : decodeAdvertisement(packet.bytes, packet.ip);
  if (!decoded.ok) {
    for (const router of matching) router.countRejection(decoded.rejection);
    return [{ kind: 'malformed', rejection: decoded.rejection, countedBy: matching }];
  }
  if (matching.length === 0) return [{ kind: 'foreign-vrid', vrid: decoded.advertisement.vrid }];
  const info = { source: packet.ip.source, ttl: packet.ttl, receivedAt: packet.receivedAt };
  return matching.map((router) => ({
    kind: 'received' as const,
    router,
    outcome: router.receive(decoded.advertisement, info, decoded.checksum),
  }));
}

/** Where receiveForVrid reports what it could not deliver (the daemon's rejection summary). */
export interface DispatchRejections {
  /** Malformed: `rejection` was counted on every router given. */
  malformed(rejection: Rejection): void;
  /** Well-formed, refused by `router` (and counted on it). */
  refused(router: VirtualRouter, rejection: Rejection): void;
}

/**
 * dispatchPacket for `routers` already chosen by the packet's VRID byte and family (the daemon's
 * receiver table, never empty), with `decoder` the one of that VRID: the same checks and order,
 * without dispatchPacket's arrays and result objects per packet (a Backup of 1000 instances hears
 * 1000 advertisements a second, issue 16). `packet` is not kept.
 */
export function receiveForVrid(routers: readonly VirtualRouter[], packet: InboundPacket & ReceivedPacketInfo, decoder: AdvertisementDecoder, rejections: DispatchRejections): void {
  const decoded = decoder.decode(packet.bytes, packet.ip);
  if (!decoded.ok) {
    for (const router of routers) router.countRejection(decoded.rejection);
    rejections.malformed(decoded.rejection);
    return;
  }
  for (let i = 0; i < routers.length; i++) {
    const router = routers[i]!;
    const outcome = router.receive(decoded.advertisement, packet, decoded.checksum);
    if (!outcome.accepted) rejections.refused(router, outcome.rejection);
  }
}
