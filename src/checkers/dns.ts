// DNS_CHECK's query and the part of an answer it looks at (RFC 1035 §4.1), as keepalived's
// check_dns.c: one question with Recursion Desired, class IN; an answer passes when it carries
// the query's ID, is a response (QR) and has rcode 0 (NOERROR), whatever its sections hold.
import { DNS_TYPES, type DnsType } from './spec.js';

const HEADER_BYTES = 12;
const FLAG_QR = 0x8000;
const FLAG_RD = 0x0100;
const CLASS_IN = 1;

export function encodeDnsQuery(id: number, name: string, type: DnsType): Uint8Array {
  const labels = name === '.' ? [] : (name.endsWith('.') ? name.slice(0, -1) : name).split('.').map((label) => Buffer.from(label));
  const qname = Buffer.concat([...labels.flatMap((label) => [Buffer.of(label.length), label]), Buffer.of(0)]);
  const message = Buffer.alloc(HEADER_BYTES + qname.length + 4);
  message.writeUInt16BE(id & 0xffff, 0);
  message.writeUInt16BE(FLAG_RD, 2);
  message.writeUInt16BE(1, 4); // QDCOUNT
  qname.copy(message, HEADER_BYTES);
  message.writeUInt16BE(DNS_TYPES[type], HEADER_BYTES + qname.length);
  message.writeUInt16BE(CLASS_IN, HEADER_BYTES + qname.length + 2);
  return message;
}

export type DnsAnswer =
  /** Not an answer to this query (short, another ID, or a query): keep waiting, as keepalived does. */
  | { readonly kind: 'ignore' }
  | { readonly kind: 'answer'; readonly rcode: number };

export function readDnsAnswer(bytes: Uint8Array, id: number): DnsAnswer {
  if (bytes.length < HEADER_BYTES) return { kind: 'ignore' };
  const view = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.readUInt16BE(0) !== (id & 0xffff)) return { kind: 'ignore' };
  const flags = view.readUInt16BE(2);
  if ((flags & FLAG_QR) === 0) return { kind: 'ignore' };
  return { kind: 'answer', rcode: flags & 0x000f };
}
