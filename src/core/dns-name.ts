// A DNS name as DNS_CHECK's `name` takes it (RFC 1035 §2.3.4 limits): shared by the checker that
// encodes it and the configuration that refuses a bad one.

/**
 * A name keepalived accepts: "." or labels of 1..63 bytes separated by single dots (a final dot
 * allowed), 253 bytes at most. Returns why not, or undefined.
 */
export function dnsNameProblem(name: string): string | undefined {
  if (name === '.') return undefined;
  const labels = (name.endsWith('.') ? name.slice(0, -1) : name).split('.');
  if (labels.some((label) => label.length === 0)) return 'has an empty label';
  if (labels.some((label) => Buffer.byteLength(label) > 63)) return 'has a label longer than 63 bytes';
  if (Buffer.byteLength(name) > 253) return 'is longer than 253 bytes';
  return undefined;
}

