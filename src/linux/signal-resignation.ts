// The priority-0 advertisements a Master arms with its VRRP socket (AdvertisementChannel.
// armResignation) leave from the SIGTERM / SIGINT handler itself, before the event loop hears of
// the signal: native-shims/signal_resignation.cc says why and how.
import { constants } from 'node:os';
import { nativeShims, type ResignationTrace } from './native.js';

/**
 * Installs the handler for `signals`. Call it after process.on(signal) for each: the handler hands
 * the signal on to the one before it (Node's), and Node's own, installed later, would replace it.
 * `watch` (default) also starts the thread that sends them as the signal is generated, before the
 * loop's thread gets a core (signal_resignation.cc's Watch).
 */
export function resignOnSignals(signals: readonly NodeJS.Signals[], watch = true): void {
  nativeShims().resignOnSignals(
    signals.map((signal) => constants.signals[signal]),
    watch,
  );
}

/** The priority-0 advertisements the handler sent (0 before a signal). */
export function resignationsSent(): number {
  return nativeShims().resignationsSent();
}

/**
 * What the first signal met in the handler, and whether `signal`'s handler is still the native one
 * (libuv puts its own back when a listener for it is added after all were removed): the stop's log
 * line carries it, so that a late priority 0 says whether the handler ran, on which thread, and
 * what was armed. undefined from a shim built before it.
 */
export function resignationTrace(signal?: NodeJS.Signals): ResignationTrace | undefined {
  return nativeShims().resignationTrace?.(signal ? constants.signals[signal] : undefined);
}
