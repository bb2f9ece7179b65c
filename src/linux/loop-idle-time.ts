// Node's event loop times its idle waits (libuv's UV_METRICS_IDLE_TIME, for
// performance.eventLoopUtilization, which the daemon never reads), and to do so polls twice at
// each turn that waits: epoll_pwait with a zero timeout, then with the real one. A daemon of 1000
// instances waits a few hundred times a second; keepalived polls once per wake-up (issue 16).
// The native shim turns the metric off (native-shims/loop_idle_time.cc says how, and when it
// leaves it on).
import { nativeShims } from './native.js';

/** One epoll_pwait per wait of the loop from now on; whether the metric was turned off. */
export function stopLoopIdleTime(): boolean {
  const shims = nativeShims();
  // A shim built before this function (`npm run build` does not rebuild it) leaves the loop as it is.
  return typeof shims.stopLoopIdleTime === 'function' ? shims.stopLoopIdleTime() : false;
}
