// The native shim's surface: argument errors are thrown as TypeError / RangeError, kernel errors
// carry their errno.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { nativeShims } from '../../src/linux/native.js';
import { shimFile } from '../../src/linux/package-files.js';
import { isRoot } from '../helpers/netns.js';
import { scratchDir } from '../helpers/scratch.js';

describe('sendFrame', () => {
  test('refuses bad arguments before touching the kernel', () => {
    const { sendFrame } = nativeShims();
    expect(() => (sendFrame as (...args: unknown[]) => number)('eth0', Buffer.alloc(60))).toThrow(TypeError);
    expect(() => sendFrame(0, Buffer.alloc(60))).toThrow(RangeError);
    expect(() => sendFrame(1, Buffer.alloc(10))).toThrow('frame must hold an Ethernet header');
  });

  test.skipIf(!isRoot())('an interface that does not exist is the kernel error ENXIO/ENODEV, with its errno', () => {
    let thrown: (Error & { errno?: number }) | undefined;
    try {
      nativeShims().sendFrame(999_999, Buffer.alloc(60));
    } catch (error) {
      thrown = error as Error & { errno?: number };
    }
    expect(thrown?.message).toMatch(/^sendto\(AF_PACKET\): (No such device|No such device or address)$/);
    expect([6, 19]).toContain(thrown?.errno);
  });
});

describe('setMallocTrimThreshold', () => {
  // What it changes is glibc's (every arena's free top given back above the threshold): measured by
  // `npm run bench -- --only memory` (bench/RESULTS.md), not asserted here, since where glibc puts
  // a test's allocations decides whether they can be given back.
  test('refuses bad arguments; glibc takes a threshold in range', () => {
    const { setMallocTrimThreshold } = nativeShims();
    expect(() => (setMallocTrimThreshold as (...args: unknown[]) => void)('128k')).toThrow(TypeError);
    expect(() => setMallocTrimThreshold(-1)).toThrow(RangeError);
    expect(() => setMallocTrimThreshold(2 ** 31)).toThrow(RangeError);
    expect(() => setMallocTrimThreshold(128 * 1024)).not.toThrow();
  });
});

describe('setV8Flags', () => {
  // What the flags do is asserted through holdHeapGrowth (test/cli/heap-growth.test.ts), in a
  // fresh node: set here they would change this worker's V8 for the tests after it.
  test('refuses anything but one string', () => {
    const { setV8Flags } = nativeShims();
    expect(() => (setV8Flags as (...args: unknown[]) => void)()).toThrow(TypeError);
    expect(() => (setV8Flags as (...args: unknown[]) => void)(10)).toThrow(TypeError);
  });
});

describe('notifyMemoryPressure', () => {
  // V8's moderate memory pressure starts an incremental mark-compact (src/linux/heap-settle.ts):
  // what it frees is measured by the memory bench; here, that a full collection follows.
  test('a major collection follows', async () => {
    const { PerformanceObserver, constants } = await import('node:perf_hooks');
    const major = new Promise<void>((resolve) => {
      const observer = new PerformanceObserver((list) => {
        if (list.getEntries().some((entry) => (entry as { detail?: { kind?: number } }).detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR)) {
          observer.disconnect();
          resolve();
        }
      });
      observer.observe({ entryTypes: ['gc'] });
    });
    nativeShims().notifyMemoryPressure();
    await major;
  });
});

describe('oldSpaceUsedBytes', () => {
  test("V8's old space in use, as node:v8 reads it", async () => {
    const v8 = await import('node:v8');
    const before = nativeShims().oldSpaceUsedBytes!();
    const node = v8.getHeapSpaceStatistics().find((space) => space.space_name === 'old_space')!.space_used_size;
    // Read back to back: only what the two calls allocate in between may differ.
    expect(before).toBeGreaterThan(1024 * 1024);
    expect(Math.abs(before - node)).toBeLessThan(256 * 1024);
  });
});

describe('readWrappedSource and readWholeFile', () => {
  test('the file between the two texts, as one string; a file that is not ASCII is left to the caller', () => {
    const dir = scratchDir('bundle-source');
    const ascii = join(dir, 'ascii.cjs');
    const text = Array.from({ length: 5000 }, (_, i) => `f${i}();`).join('\n');
    writeFileSync(ascii, text);
    const source = nativeShims().readWrappedSource(ascii, '(function () {', '\n});');
    expect(source).toBe(`(function () {${text}\n});`);
    expect(nativeShims().readWrappedSource(ascii, '', '')).toBe(text);
    const utf8 = join(dir, 'utf8.cjs');
    writeFileSync(utf8, `${text}// é\n`);
    expect(nativeShims().readWrappedSource(utf8, '', '')).toBeUndefined();
    const empty = join(dir, 'empty.cjs');
    writeFileSync(empty, '');
    expect(nativeShims().readWrappedSource(empty, 'a', 'b')).toBe('ab');
  });

  test('readWholeFile gives the bytes; a missing file is the kernel error with its errno', () => {
    const dir = scratchDir('bundle-source');
    const file = join(dir, 'data.bin');
    const bytes = Buffer.from(Array.from({ length: 70_000 }, (_, i) => (i * 7) & 0xff));
    writeFileSync(file, bytes);
    expect(nativeShims().readWholeFile(file).equals(bytes)).toBe(true);
    let thrown: (Error & { errno?: number }) | undefined;
    try {
      nativeShims().readWrappedSource(join(dir, 'missing'), '', '');
    } catch (error) {
      thrown = error as Error & { errno?: number };
    }
    expect(thrown?.errno).toBe(2);
    expect(() => nativeShims().readWholeFile(join(dir, 'missing'))).toThrow(/^read .*missing: No such file or directory$/);
    expect(() => (nativeShims().readWholeFile as (...args: unknown[]) => Buffer)(1)).toThrow(TypeError);
  });
});

describe('a process ending while a native poll has something to report', () => {
  test('a watched directory that changes as the process exits: it exits 0, without the abort', () => {
    // The watch's poll is unreferenced, so Node ends; the change made in 'exit' is read in the
    // loop's last run while the environment is torn down, when no JavaScript may run. The call
    // into JavaScript was then node-addon-api's MakeCallback, which threw and aborted the process
    // (SIGABRT in 30 of 30 runs before the fix); now it is dropped (native-shims/shims.h CallFromLoop).
    const dir = scratchDir('teardown');
    const shim = shimFile(join(import.meta.dirname, '..', '..'));
    const program = `
      const { writeFileSync } = require('node:fs');
      const s = require(${JSON.stringify(shim)});
      globalThis.watch = new s.DirectoryWatch(${JSON.stringify(dir)}, () => undefined);
      process.on('exit', () => { for (let i = 0; i < 20; i++) writeFileSync(${JSON.stringify(dir)} + '/f' + i, 'x'); });`;
    for (let run = 0; run < 5; run++) {
      const ended = spawnSync(process.execPath, ['-e', program], { encoding: 'utf8' });
      expect(ended.stderr).toBe('');
      expect([ended.status, ended.signal]).toEqual([0, null]);
    }
  });
});
