// UDP_CHECK's reply test (keepalived's check_udp_reply): the length within min..max, and the
// bytes both have in common equal to require_reply's, except the bits the mask leaves out.
import type { UdpReply } from './spec.js';

/** Why the reply does not do, or undefined when it does. */
export function udpReplyProblem(reply: Uint8Array, expected: UdpReply): string | undefined {
  if (reply.length < expected.minLength || reply.length > expected.maxLength) {
    return `UDP reply of ${reply.length} bytes (expected ${expected.minLength}..${expected.maxLength})`;
  }
  const data = expected.data;
  if (!data) return undefined;
  const compared = Math.min(reply.length, data.length);
  for (let i = 0; i < compared; i++) {
    const ignored = expected.mask?.[i] ?? 0;
    if (((reply[i] ?? 0) ^ (data[i] ?? 0)) & ~ignored & 0xff) return `UDP reply differs from require_reply at byte ${i}`;
  }
  return undefined;
}

/** keepalived sends this much random data when UDP_CHECK has no payload. */
export const RANDOM_PAYLOAD_BYTES = 32;
