// The priority-0 advertisements a Master arms with its VRRP socket (AdvertisementChannel.
// armResignation) leave from the SIGTERM / SIGINT handler itself, before the event loop hears of
// the signal: native-shims/signal_resignation.cc says why and how.
import { constants } from 'node:os';
import { nativeShims } from './native.js';

/**
 * Installs the handler for `signals`. Call it after process.on(signal) for each: the handler hands
 * the signal on to the one before it (Node's), and Node's own, installed later, would replace it.
 */
export function resignOnSignals(signals: readonly NodeJS.Signals[]): void {
  nativeShims().resignOnSignals(signals.map((signal) => constants.signals[signal]));
}

/** The priority-0 advertisements the handler sent (0 before a signal). */
export function resignationsSent(): number {
  return nativeShims().resignationsSent();
}
