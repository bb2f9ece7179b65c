// The per-router checks of a decoded advertisement (RFC 3768 §7.1, RFC 5798 §7.1): the codec has
// already checked what it can without knowing the router (length, version, type, checksum).
import { AuthType, type Advertisement } from '../packet/advertisement.js';
import type { Rejection } from '../packet/rejection.js';
import type { VirtualRouterConfig } from './config.js';

/** What the socket layer knows about a received packet beyond its payload. */
export interface ReceivedPacketInfo {
  readonly source: string;
  /** IPv4 TTL or IPv6 Hop Limit; undefined when the socket layer cannot tell. */
  readonly ttl?: number;
  /**
   * When the packet arrived, on the clock's scale (at or before now): the kernel's receipt, which
   * comes before the read when the loop was busy. Undefined: now.
   */
  readonly receivedAt?: number;
}

export const REQUIRED_TTL = 255;

export function checkAdvertisement(
  config: VirtualRouterConfig,
  advertisement: Advertisement,
  packet: ReceivedPacketInfo,
): Rejection | undefined {
  // RFC 5798 §7.1: a TTL below 255 means the packet crossed a router and must be dropped. In
  // unicast mode keepalived does not check it (and itself sends IPv6 unicast adverts with the
  // default hop limit, 64): there the configured-peer check below is what keeps strangers out.
  const unicast = config.unicastPeers.length > 0;
  if (!unicast && packet.ttl !== undefined && packet.ttl !== REQUIRED_TTL) {
    return { reason: 'ttl', detail: `TTL ${packet.ttl} from ${packet.source}, must be ${REQUIRED_TTL}` };
  }
  if (advertisement.version !== config.version && !acceptsV2Interop(config, advertisement)) {
    return { reason: 'version', detail: `VRRPv${advertisement.version} from ${packet.source}, this router speaks VRRPv${config.version}` };
  }
  if (unicast && !config.unicastPeers.includes(packet.source)) {
    return { reason: 'unicast-source', detail: `${packet.source} is not a configured unicast peer` };
  }
  if (advertisement.version === 2) {
    const authRejection = checkAuthentication(config, advertisement.authType, advertisement.authData, packet.source);
    if (authRejection) return authRejection;
    // RFC 3768 §7.1: the Adver Int must match ours; v3 instead adopts the Master's (RFC 5798 §6.4.2),
    // and so does a v3 router interoperating with v2 (RFC 5798 §8.4.2).
    const ourSeconds = config.advertIntervalMs / 1000;
    if (config.version === 2 && advertisement.advertIntervalSeconds !== ourSeconds) {
      return {
        reason: 'advert-interval',
        detail: `advertisement interval ${advertisement.advertIntervalSeconds} s from ${packet.source}, ours is ${ourSeconds} s`,
      };
    }
  }
  return undefined;
}

/** RFC 5798 §8.4.2: a VRRPv3 router configured for it also listens to VRRPv2 (IPv4 only). */
function acceptsV2Interop(config: VirtualRouterConfig, advertisement: Advertisement): boolean {
  return config.version === 3 && config.family === 'ipv4' && config.v2Interop === true && advertisement.version === 2;
}

function checkAuthentication(config: VirtualRouterConfig, authType: number, authData: Uint8Array, source: string): Rejection | undefined {
  if (authType !== AuthType.none && authType !== AuthType.simplePassword && authType !== AuthType.ipAh) {
    return { reason: 'auth-type-invalid', detail: `unknown authentication type ${authType} from ${source}` };
  }
  const expectedType = config.authentication ? AuthType.simplePassword : AuthType.none;
  if (authType !== expectedType) {
    return { reason: 'auth-type-mismatch', detail: `authentication type ${authType} from ${source}, ours is ${expectedType}` };
  }
  if (config.authentication && !passwordMatches(config.authentication.password, authData)) {
    return { reason: 'auth-failure', detail: `wrong password from ${source}` };
  }
  return undefined;
}

/** RFC 3768 §5.3.10: up to 8 octets of password, zero-padded. */
export function passwordBytes(password: string): Uint8Array {
  const bytes = new Uint8Array(8);
  bytes.set(new TextEncoder().encode(password).subarray(0, 8));
  return bytes;
}

function passwordMatches(password: string, authData: Uint8Array): boolean {
  const expected = passwordBytes(password);
  return expected.every((byte, i) => authData[i] === byte);
}

/** RFC 9568 §7.1 asks to log, not drop, a differing address list (dropping it makes two Masters). */
export function addressListDiffers(config: VirtualRouterConfig, advertisement: Advertisement): boolean {
  const theirs = advertisement.addresses;
  const mine = config.virtualAddresses;
  if (theirs.length !== mine.length) return true;
  // The Master's list is nearly always ours in our order: no set to build for every packet.
  let i = 0;
  while (i < mine.length && theirs[i] === mine[i]) i++;
  if (i === mine.length) return false;
  const ours = new Set(mine);
  return advertisement.addresses.some((address) => !ours.has(address));
}
