// The BFD Control packet codec (RFC 5880 §4.1) and the packet checks of §6.8.6, and the session
// table's discards: each hostile or malformed packet is counted under its reason and changes nothing.
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { decodeControlPacket, diagnosticText, encodeControlPacket, type ControlPacket } from '../../src/bfd/packet.js';
import { ms, Pair } from './harness.js';

const packet: ControlPacket = {
  diag: 0,
  state: 'Up',
  poll: true,
  final: false,
  controlPlaneIndependent: false,
  authenticationPresent: false,
  demand: false,
  multipoint: false,
  detectMult: 3,
  myDiscriminator: 0x01020304,
  yourDiscriminator: 0xa0b0c0d0,
  desiredMinTxInterval: 300_000,
  requiredMinRxInterval: 50_000,
  requiredMinEchoRxInterval: 0,
};

describe('codec', () => {
  test('the mandatory section, byte for byte (§4.1)', () => {
    const bytes = encodeControlPacket(packet);
    // Vers 1, Diag 0 | Sta 3, P | Detect Mult 3 | Length 24 | discriminators | 300 ms | 50 ms | 0
    expect(Buffer.from(bytes).toString('hex')).toBe('20e0031801020304a0b0c0d0000493e00000c35000000000');
    expect(decodeControlPacket(bytes)).toEqual({ ok: true, packet });
  });

  test('every field survives a round trip', () => {
    fc.assert(
      fc.property(
        fc.record({
          diag: fc.integer({ min: 0, max: 31 }),
          state: fc.constantFrom('AdminDown', 'Down', 'Init', 'Up' as const),
          poll: fc.boolean(),
          controlPlaneIndependent: fc.boolean(),
          demand: fc.boolean(),
          detectMult: fc.integer({ min: 1, max: 255 }),
          myDiscriminator: fc.integer({ min: 1, max: 0xffffffff }),
          yourDiscriminator: fc.integer({ min: 1, max: 0xffffffff }),
          desiredMinTxInterval: fc.integer({ min: 0, max: 0xffffffff }),
          requiredMinRxInterval: fc.integer({ min: 0, max: 0xffffffff }),
          requiredMinEchoRxInterval: fc.integer({ min: 0, max: 0xffffffff }),
        }),
        (fields) => {
          const original: ControlPacket = { ...fields, final: false, authenticationPresent: false, multipoint: false };
          expect(decodeControlPacket(encodeControlPacket(original))).toEqual({ ok: true, packet: original });
        },
      ),
    );
  });

  test.each([
    ['too-short', (b: Uint8Array) => b.subarray(0, 23)],
    ['version', (b: Uint8Array) => ((b[0] = (2 << 5) | (b[0]! & 0x1f)), b)],
    ['length', (b: Uint8Array) => ((b[3] = 23), b)],
    ['length', (b: Uint8Array) => ((b[3] = 40), b)],
    ['length', (b: Uint8Array) => ((b[1] = b[1]! | 0x04), b)], // A bit: at least 26 bytes
    ['detect-mult', (b: Uint8Array) => ((b[2] = 0), b)],
    ['multipoint', (b: Uint8Array) => ((b[1] = b[1]! | 0x01), b)],
    ['my-discriminator', (b: Uint8Array) => (b.fill(0, 4, 8), b)],
    ['your-discriminator', (b: Uint8Array) => (b.fill(0, 8, 12), b)],
    ['poll-and-final', (b: Uint8Array) => ((b[1] = b[1]! | 0x30), b)],
  ])('%s is refused', (reason, mangle) => {
    const decoded = decodeControlPacket(mangle(encodeControlPacket(packet)));
    expect(decoded).toMatchObject({ ok: false, discard: { reason } });
  });

  test('a packet longer than Length (trailing bytes) is read by its Length', () => {
    const bytes = new Uint8Array(30);
    bytes.set(encodeControlPacket(packet));
    expect(decodeControlPacket(bytes)).toEqual({ ok: true, packet });
  });

  test('decoding never throws on arbitrary bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => void decodeControlPacket(bytes)));
  });

  test('diagnostic codes read as RFC 5880 names them', () => {
    expect(diagnosticText(1)).toBe('Control Detection Time Expired');
    expect(diagnosticText(3)).toBe('Neighbor Signaled Session Down');
    expect(diagnosticText(7)).toBe('Administratively Down');
    expect(diagnosticText(20)).toBe('diagnostic 20');
  });
});

describe('hostile packets at the session table', () => {
  /** An Up pair, and what a's session looks like before the test's packets arrive. */
  function upPair(): Pair {
    const pair = new Pair({ desiredMinTxInterval: ms(50), requiredMinRxInterval: ms(50), detectMult: 3 }, { desiredMinTxInterval: ms(50), requiredMinRxInterval: ms(50), detectMult: 3 });
    pair.start();
    pair.upBoth();
    pair.clock.advanceBy(500);
    return pair;
  }
  const bPacket = (pair: Pair, change: Partial<ControlPacket> = {}): Uint8Array => {
    const b = pair.b.table.status()[0]!;
    return encodeControlPacket({ ...packet, poll: false, state: 'Down', diag: 0, myDiscriminator: b.localDiscr, yourDiscriminator: b.remoteDiscr, ...change });
  };
  const deliver = (pair: Pair, payload: Uint8Array, change: { ttl?: number; source?: string; multihop?: boolean } = {}) =>
    pair.a.table.deliver({ payload, family: 'ipv4', source: change.source ?? '192.0.2.2', destination: '192.0.2.1', ttl: change.ttl ?? 255, multihop: change.multihop ?? false });

  test.each([
    ['ttl', { ttl: 254 }, {}],
    ['ttl', { ttl: 1 }, {}],
    ['unknown-discriminator', {}, { yourDiscriminator: 12345 }],
    ['unknown-discriminator', { source: '192.0.2.66' }, {}],
    ['no-session', { source: '192.0.2.66' }, { yourDiscriminator: 0 }],
    ['no-session', { multihop: true }, {}],
    ['authentication', {}, { authenticationPresent: true }],
  ] as const)('%s: a Down packet that would take the session down is counted and ignored (%j %j)', (reason, datagram, fields) => {
    const pair = upPair();
    let payload = bPacket(pair, fields);
    if ('authenticationPresent' in fields) {
      // A well-formed Simple Password section (§4.2) so only the A bit is at fault.
      payload = Uint8Array.from([...payload, 1, 3, 1]);
      payload[3] = 27;
    }
    deliver(pair, payload, datagram);
    pair.clock.advanceBy(1);
    expect(pair.a.table.state('to-b')).toBe('Up');
    expect(pair.a.table.discarded().get(reason)).toBe(1);
  });

  test('the same Down packet, well formed from the peer, does take the session down (the cases above are real refusals)', () => {
    const pair = upPair();
    deliver(pair, bPacket(pair));
    expect(pair.a.table.state('to-b')).toBe('Down');
    expect(pair.a.table.status()[0]!.lastDown).toMatchObject({ diag: 3 });
  });

  test('a flood of random bytes and of forged packets changes nothing and is counted', () => {
    const pair = upPair();
    const before = pair.a.table.status()[0]!;
    let sent = 0;
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 48 }), fc.integer({ min: 0, max: 255 }), (bytes, ttl) => {
        deliver(pair, bytes, { ttl });
        sent++;
      }),
      { numRuns: 2000 },
    );
    // Forged: right addresses and TTL, a guessed discriminator.
    for (let i = 1; i <= 1000; i++) {
      deliver(pair, bPacket(pair, { yourDiscriminator: i }));
      sent++;
    }
    pair.clock.advanceBy(1);
    const after = pair.a.table.status()[0]!;
    expect(after).toMatchObject({ state: 'Up', localDiscr: before.localDiscr, remoteDiscr: before.remoteDiscr, upTransitions: 1, downTransitions: 0 });
    const counted = [...pair.a.table.discarded().values()].reduce((sum, n) => sum + n, 0);
    expect(counted).toBe(sent);
  });
});
