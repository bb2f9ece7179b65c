// The BFD worker thread: the sessions' engine on a loop of its own, so neither a slow reload, nor
// a thousand VRRP instances, nor a burst of notify scripts on the main thread delays the session
// core (bench/bfd.ts measured both places; docs/architecture.md has the figures). Periodic packets,
// Detection Times and the receive sockets run on the engine's native thread below it
// (native-timers.ts): under load this loop's own callbacks were held up to 160 ms.
// VRRPD_BFD_PACER=loop keeps them on this loop instead, for comparison (bench, tests). It logs
// nothing itself: state changes, status and errors go to the main thread.
import { randomFillSync } from 'node:crypto';
import { getSystemErrorName } from 'node:util';
import { parentPort, workerData } from 'node:worker_threads';
import { nativeShims } from '../native.js';
import { RealClock } from '../real-clock.js';
import { BfdEngine } from './engine.js';
import type { WorkerOptions, WorkerReport, WorkerRequest } from './messages.js';

/** Counters (packets, discards) reach the main thread this often; state changes at once. */
const STATUS_EVERY_MS = 250;

const port = parentPort;
if (!port) throw new Error('src/linux/bfd/worker.ts runs as a worker thread');

/**
 * The nice value of this thread and of the native one: their timers must get a core before the
 * main thread's work (1000 instances starting, a notify burst), the way keepalived runs its BFD
 * process apart. Without CAP_SYS_NICE (a pod with NET_ADMIN and NET_RAW only) the kernel refuses
 * and the threads keep the process's priority; the main thread is told, and says so in its
 * bfd-started log line.
 */
const BFD_THREAD_NICE = -10;
let priority: string | undefined;
try {
  nativeShims().setThreadNice(BFD_THREAD_NICE);
} catch (error) {
  priority = (error as Error).message;
}
const native = process.env['VRRPD_BFD_PACER'] !== 'loop';
const options = (workerData ?? {}) as WorkerOptions;

const post = (report: WorkerReport): void => port.postMessage(report);
let statusQueued = false;
/**
 * The status after a state change, once the change itself has left: counting the sessions' packets
 * and errors took 0.06-0.4 ms before the message that makes a tracking Master send its priority 0
 * (in-process marks, issue 15's failover bench). Several changes in one turn share one status.
 */
const postStatusSoon = (): void => {
  if (statusQueued) return;
  statusQueued = true;
  queueMicrotask(() => {
    statusQueued = false;
    post({ type: 'status', status: engine.status() });
  });
};
const words = new Uint32Array(64);
let used = words.length;
/** Uniform in [0, 1) from the kernel's generator: discriminators should not be guessable. */
const random = (): number => {
  if (used === words.length) {
    randomFillSync(words);
    used = 0;
  }
  return words[used++]! / 2 ** 32;
};

// A late timer need not wait for packets queued meanwhile: the sockets read them all at each wake-up.
const engine = new BfdEngine(
  new RealClock({ lateExpiryTurns: 1 }),
  random,
  {
    stateChanged: (session, change) => {
      post({ type: 'state', session, change });
      postStatusSoon();
    },
    error: (error) => post({ type: 'error', message: error.message }),
  },
  native ? { native: { nice: BFD_THREAD_NICE, ...(options.rtPriority !== undefined ? { rtPriority: options.rtPriority } : {}) } } : {},
);
const paced = engine.threadPriority();
if (paced && paced.errno !== 0 && priority === undefined) priority = `setpriority: ${getSystemErrorName(-paced.errno)}`;
post({
  type: 'priority',
  nice: BFD_THREAD_NICE,
  ...(priority !== undefined ? { error: priority } : {}),
  ...(paced && paced.rtPriority > 0 ? { rtPriority: paced.rtPriority, ...(paced.rtErrno !== 0 ? { rtError: `pthread_setschedparam: ${getSystemErrorName(-paced.rtErrno)}` } : {}) } : {}),
});
const reporter = setInterval(() => post({ type: 'status', status: engine.status() }), STATUS_EVERY_MS);

port.on('message', (request: WorkerRequest) => {
  if (request.type === 'stop') {
    clearInterval(reporter);
    engine.stop();
    post({ type: 'reply', id: request.id });
    return;
  }
  try {
    const changes = engine.configure(request.specs);
    post({ type: 'reply', id: request.id, changes });
    post({ type: 'status', status: engine.status() });
  } catch (error) {
    post({ type: 'reply', id: request.id, error: (error as Error).message });
  }
});
