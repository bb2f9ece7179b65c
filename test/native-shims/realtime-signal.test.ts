// Realtime signals, which Node refuses: a delivery reaches the callback on the event loop (and does
// not end the process, their default action); ordinary signals are refused so Node keeps them.
import { describe, expect, test } from 'vitest';
import { nativeShims } from '../../src/linux/native.js';
import { onRealtimeSignal, realtimeSignalNumber } from '../../src/linux/realtime-signal.js';

describe('onRealtimeSignal', () => {
  test('each delivery of SIGRTMIN+n calls back on the event loop', async () => {
    let calls = 0;
    const stop = onRealtimeSignal(7, () => calls++);
    process.kill(process.pid, realtimeSignalNumber(7));
    await new Promise<void>((resolve) => {
      const poll = setInterval(() => {
        if (calls > 0) {
          clearInterval(poll);
          resolve();
        }
      }, 5);
    });
    expect(calls).toBe(1);
    stop();
  });

  test('keepalived JSON signal number is SIGRTMIN+2 (36 with glibc, as keepalived --signum=JSON says)', () => {
    expect(realtimeSignalNumber(2)).toBe(36);
  });

  test('refuses ordinary signals and a second pipe for the same signal', () => {
    expect(() => nativeShims().signalPipe(10)).toThrow(RangeError);
    expect(() => nativeShims().signalPipe(realtimeSignalNumber(7))).toThrow('already has a pipe');
  });
});
