// Netlink attributes (struct nlattr, netlink(7)): what every rtnetlink message vrrpd builds or
// parses itself is made of: a 4-byte header (length, type) and a value padded to 4 bytes.
import { addressLength, bytesToAddress, type AddressFamily } from '../../core/address.js';

/** The kernel sets these flags in the type field; the attribute's type is the rest. */
const NLA_TYPE_MASK = 0x3fff;

export function attribute(type: number, value: Uint8Array): Buffer {
  const length = 4 + value.length;
  const out = Buffer.alloc((length + 3) & ~3);
  out.writeUInt16LE(length, 0);
  out.writeUInt16LE(type, 2);
  out.set(value, 4);
  return out;
}

/** A u32 attribute value, host (little-endian) order. */
export function u32(value: number): Buffer {
  const out = Buffer.alloc(4);
  out.writeUInt32LE(value >>> 0, 0);
  return out;
}

/** The attributes after a message's fixed header, by type (the last one wins); stops at a malformed one. */
export function readAttributes(buffer: Buffer, offset: number): Map<number, Buffer> {
  const attributes = new Map<number, Buffer>();
  for (let at = offset; at + 4 <= buffer.length; ) {
    const length = buffer.readUInt16LE(at);
    if (length < 4 || at + length > buffer.length) break;
    attributes.set(buffer.readUInt16LE(at + 2) & NLA_TYPE_MASK, buffer.subarray(at + 4, at + length));
    at += (length + 3) & ~3;
  }
  return attributes;
}

/** An address attribute's value, if it has the family's length. */
export function addressValue(family: AddressFamily, value: Buffer | undefined): string | undefined {
  return value && value.length === addressLength(family) ? bytesToAddress(family, value) : undefined;
}

/** A NUL-terminated string attribute's value. */
export function textValue(value: Buffer | undefined): string | undefined {
  return value ? value.toString('utf8').replace(/\0.*$/s, '') : undefined;
}
