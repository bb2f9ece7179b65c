// Handlers for realtime signals (SIGRTMIN+n), which Node's process.on refuses: keepalived writes its
// JSON dump on SIGRTMIN+2, and tools send that signal. The native handler writes a byte to a pipe;
// the pipe's read end is a Node stream, so the callback runs on the event loop like any other.
import type * as Net from 'node:net';
import { onFirstUse } from '../core/on-first-use.js';
import { nativeShims } from './native.js';

/** node:net: loaded when the first handler is installed (once the daemon has started). */
const net = onFirstUse<typeof Net>('node:net');

/** keepalived's JSON dump signal (`keepalived --signum=JSON`): SIGRTMIN+2. */
export const KEEPALIVED_JSON_SIGNAL_OFFSET = 2;

export function realtimeSignalNumber(offset: number): number {
  return nativeShims().realtimeSignalMin() + offset;
}

/**
 * Calls `handler` on the event loop after each delivery of SIGRTMIN+offset (deliveries while the
 * loop is busy may coalesce). The handler stays installed for the life of the process; the returned
 * function stops the callbacks.
 */
export function onRealtimeSignal(offset: number, handler: () => void): () => void {
  const fd = nativeShims().signalPipe(realtimeSignalNumber(offset));
  const pipe = new (net().Socket)({ fd, readable: true, writable: false });
  pipe.on('data', () => handler());
  pipe.on('error', () => undefined);
  // Listening for a signal must not keep the process alive.
  pipe.unref();
  return () => pipe.removeAllListeners('data');
}
