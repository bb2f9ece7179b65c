// The native BFD pacer (native-shims/bfd_pacer.cc): arguments refused before anything starts,
// unknown sessions named, and a closed pacer refusing further calls. What it does on the wire is
// tested against FRR in test/linux/bfd-pacer.test.ts and by every BFD lab test (the daemon's
// sessions run on it).
import { spawn, spawnSync } from 'node:child_process';
import { describe, expect, test } from 'vitest';
import { nativeShims, type NativeBfdPacer } from '../../src/linux/native.js';

describe('BfdPacer', () => {
  const open = (...args: unknown[]) => new (nativeShims().BfdPacer as unknown as new (...args: unknown[]) => NativeBfdPacer)(...args);

  test('refuses bad arguments, names unknown sessions, and refuses calls once closed', () => {
    expect(() => open('fast')).toThrow(TypeError);
    expect(() => open({}, 'not a function')).toThrow(TypeError);
    expect(() => open({ nice: 'high' }, () => undefined)).toThrow('options.nice must be a number');
    expect(() => open({ rtPriority: 100 }, () => undefined)).toThrow('options.rtPriority must be 1..99');
    const pacer = open({}, () => undefined);
    try {
      // Its thread started with the process's priority (no nice, no SCHED_RR asked for).
      expect(pacer.priority()).toEqual([0, 0, 0, 0]);
      expect(() => pacer.pace(7, 50_000, false, true)).toThrow('no such session');
      expect(() => pacer.counters(7)).toThrow('no such session');
      expect(() => pacer.packet(7, Buffer.alloc(23))).toThrow('bytes: a 24-byte Control packet');
      expect(() => pacer.session(7, -1, Buffer.alloc(4), 3784, Buffer.alloc(4), false, 255)).toThrow('fcntl(F_DUPFD_CLOEXEC)');
      expect(() => pacer.session(7, 0, Buffer.alloc(4), 3784, Buffer.alloc(16), false, 255)).toThrow('destination and peer: 4 or 16 bytes');
      // Removing what is not there changes nothing.
      pacer.remove(7);
      expect(pacer.dropped()).toBe(0);
    } finally {
      pacer.close();
    }
    pacer.close();
    expect(() => pacer.pace(7, 50_000, false, true)).toThrow('the BfdPacer is closed');
  });

  test('children the process forks while a pacer runs start and exit normally (notify and track scripts)', async () => {
    // The pacer's thread must not leave the child anything it needs missing: a thread stack kept
    // out of fork children (MADV_DONTFORK) made every child die of SIGSEGV before its exec.
    const pacer = open({ nice: -10 }, () => undefined);
    try {
      const synchronous = Array.from({ length: 5 }, () => spawnSync('/bin/sh', ['-c', 'exit 3']));
      expect(synchronous.map((child) => [child.status, child.signal])).toEqual(Array.from({ length: 5 }, () => [3, null]));
      const exits = await Promise.all(
        Array.from({ length: 5 }, () => new Promise<[number | null, string | null]>((resolve) => spawn('/bin/sh', ['-c', 'exit 4']).once('exit', (code, signal) => resolve([code, signal])))),
      );
      expect(exits).toEqual(Array.from({ length: 5 }, () => [4, null]));
    } finally {
      pacer.close();
    }
  });
});
