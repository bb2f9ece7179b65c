// The BFD Control packet (RFC 5880 §4.1): its mandatory section, and the checks of §6.8.6 that
// need nothing but the packet's own bytes. Intervals are in microseconds, as on the wire.
// Decoding never throws: malformed bytes give a Discard naming the check that failed, which the
// session table counts (§6.8.6 says "MUST be discarded"; operators see how many and why).

/** RFC 5880 §4.1: "Vers ... This document defines protocol version 1." */
export const BFD_VERSION = 1;
/** The mandatory section; an Authentication Section would follow it (§4.1). */
export const MANDATORY_LENGTH = 24;
/** With the A bit the packet is at least 26 bytes (§6.8.6). */
const MINIMUM_LENGTH_WITH_AUTH = 26;

/** bfd.SessionState values as the Sta field carries them (§4.1). */
export const SessionStates = ['AdminDown', 'Down', 'Init', 'Up'] as const;
export type SessionState = (typeof SessionStates)[number];

/** Diagnostic codes (§4.1, "Diag"); 9-31 are reserved. */
export const Diagnostics = [
  'No Diagnostic',
  'Control Detection Time Expired',
  'Echo Function Failed',
  'Neighbor Signaled Session Down',
  'Forwarding Plane Reset',
  'Path Down',
  'Concatenated Path Down',
  'Administratively Down',
  'Reverse Concatenated Path Down',
] as const;

export const Diag = {
  none: 0,
  controlDetectionTimeExpired: 1,
  echoFunctionFailed: 2,
  neighborSignaledSessionDown: 3,
  forwardingPlaneReset: 4,
  pathDown: 5,
  concatenatedPathDown: 6,
  administrativelyDown: 7,
  reverseConcatenatedPathDown: 8,
} as const;

/** "Control Detection Time Expired", or "diagnostic 12" for a reserved code. */
export function diagnosticText(code: number): string {
  return Diagnostics[code] ?? `diagnostic ${code}`;
}

export interface ControlPacket {
  /** Diag (5 bits). */
  readonly diag: number;
  /** Sta. */
  readonly state: SessionState;
  /** P: a Poll Sequence is in progress (§6.5). */
  readonly poll: boolean;
  /** F: the answer to a Poll. */
  readonly final: boolean;
  /** C: Control Plane Independent. */
  readonly controlPlaneIndependent: boolean;
  /** A: an Authentication Section follows. */
  readonly authenticationPresent: boolean;
  /** D: Demand mode. */
  readonly demand: boolean;
  /** M: Multipoint, reserved; received non-zero, the packet is discarded. */
  readonly multipoint: boolean;
  /** Detect Mult. */
  readonly detectMult: number;
  /** My Discriminator: the sender's bfd.LocalDiscr. */
  readonly myDiscriminator: number;
  /** Your Discriminator: the sender's bfd.RemoteDiscr, 0 until it has learnt ours. */
  readonly yourDiscriminator: number;
  /** Desired Min TX Interval (µs). */
  readonly desiredMinTxInterval: number;
  /** Required Min RX Interval (µs); 0: send no periodic packets. */
  readonly requiredMinRxInterval: number;
  /** Required Min Echo RX Interval (µs); 0: no Echo packets (vrrpd never runs the Echo function). */
  readonly requiredMinEchoRxInterval: number;
}

/** Why a received packet was discarded, one counter each. */
export const DISCARD_REASONS = [
  'too-short', //             fewer bytes than the mandatory section (§6.8.6)
  'version', //               Vers is not 1
  'length', //                Length below 24 (26 with A), or more than the datagram holds
  'detect-mult', //           Detect Mult is zero
  'multipoint', //            M bit set
  'my-discriminator', //      My Discriminator is zero
  'your-discriminator', //    Your Discriminator zero while Sta is Init or Up
  'poll-and-final', //        P and F both set (§6.8.7: "MUST NOT set ... in the same packet")
  'ttl', //                   TTL / Hop Limit below what the session accepts (RFC 5881 §5, RFC 5883 §2)
  'unknown-discriminator', // no session has Your Discriminator as its bfd.LocalDiscr
  'no-session', //            Your Discriminator zero and no session for these addresses
  'authentication', //        A bit set: vrrpd, like keepalived, runs sessions without authentication
  'admin-down', //            the session is AdminDown (§6.8.6)
  'flood', //                 read but not looked at: more waited for the daemon than the native receive thread queues (src/linux/bfd)
] as const;
export type DiscardReason = (typeof DISCARD_REASONS)[number];

export interface Discard {
  readonly reason: DiscardReason;
  readonly detail: string;
}

export type DecodeResult = { readonly ok: true; readonly packet: ControlPacket } | { readonly ok: false; readonly discard: Discard };

export function encodeControlPacket(packet: ControlPacket): Uint8Array {
  const out = new Uint8Array(MANDATORY_LENGTH);
  const view = new DataView(out.buffer);
  out[0] = (BFD_VERSION << 5) | (packet.diag & 0x1f);
  out[1] =
    (SessionStates.indexOf(packet.state) << 6) |
    (packet.poll ? 0x20 : 0) |
    (packet.final ? 0x10 : 0) |
    (packet.controlPlaneIndependent ? 0x08 : 0) |
    (packet.authenticationPresent ? 0x04 : 0) |
    (packet.demand ? 0x02 : 0) |
    (packet.multipoint ? 0x01 : 0);
  out[2] = packet.detectMult;
  out[3] = MANDATORY_LENGTH;
  view.setUint32(4, packet.myDiscriminator);
  view.setUint32(8, packet.yourDiscriminator);
  view.setUint32(12, packet.desiredMinTxInterval);
  view.setUint32(16, packet.requiredMinRxInterval);
  view.setUint32(20, packet.requiredMinEchoRxInterval);
  return out;
}

/**
 * The packet in a UDP payload, checked as far as §6.8.6 can without the session: version, lengths,
 * Detect Mult, M, My Discriminator, and Your Discriminator against the state. P and F together
 * are refused too (keepalived does; FRR would answer the Poll and end its own).
 */
export function decodeControlPacket(bytes: Uint8Array): DecodeResult {
  if (bytes.length < MANDATORY_LENGTH) return discard('too-short', `${bytes.length} bytes, the mandatory section alone is ${MANDATORY_LENGTH}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = bytes[0]! >> 5;
  if (version !== BFD_VERSION) return discard('version', `version ${version}`);
  const flags = bytes[1]!;
  const authenticationPresent = (flags & 0x04) !== 0;
  const length = bytes[3]!;
  const minimum = authenticationPresent ? MINIMUM_LENGTH_WITH_AUTH : MANDATORY_LENGTH;
  if (length < minimum) return discard('length', `Length ${length}, below ${minimum}`);
  if (length > bytes.length) return discard('length', `Length ${length}, the datagram holds ${bytes.length}`);
  const detectMult = bytes[2]!;
  if (detectMult === 0) return discard('detect-mult', 'Detect Mult is zero');
  if ((flags & 0x01) !== 0) return discard('multipoint', 'the Multipoint bit is set');
  const myDiscriminator = view.getUint32(4);
  if (myDiscriminator === 0) return discard('my-discriminator', 'My Discriminator is zero');
  const state = SessionStates[flags >> 6]!;
  const yourDiscriminator = view.getUint32(8);
  if (yourDiscriminator === 0 && state !== 'Down' && state !== 'AdminDown') {
    return discard('your-discriminator', `Your Discriminator is zero with state ${state}`);
  }
  const poll = (flags & 0x20) !== 0;
  const final = (flags & 0x10) !== 0;
  if (poll && final) return discard('poll-and-final', 'both Poll and Final are set');
  return {
    ok: true,
    packet: {
      diag: bytes[0]! & 0x1f,
      state,
      poll,
      final,
      controlPlaneIndependent: (flags & 0x08) !== 0,
      authenticationPresent,
      demand: (flags & 0x02) !== 0,
      multipoint: false,
      detectMult,
      myDiscriminator,
      yourDiscriminator,
      desiredMinTxInterval: view.getUint32(12),
      requiredMinRxInterval: view.getUint32(16),
      requiredMinEchoRxInterval: view.getUint32(20),
    },
  };
}

function discard(reason: DiscardReason, detail: string): DecodeResult {
  return { ok: false, discard: { reason, detail } };
}
