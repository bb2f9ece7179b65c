// The checkers' worker thread: every check (its connections, TLS handshakes, response reading) on
// a loop of its own, so no check delays a VRRP timer on the daemon's main loop. bench
// checker-loop measured both places (docs/architecture.md has the figures). It logs nothing
// itself: each run's result goes back to the main thread, which logs and decides.
import { parentPort } from 'node:worker_threads';
import { Checker } from '../../checkers/checker.js';
import type { CheckerIo } from '../../checkers/io.js';
import { RealClock } from '../real-clock.js';
import type { CheckReport, CheckRequest } from './messages.js';
import { openDatagram, openStream } from './streams.js';

const port = parentPort;
if (!port) throw new Error('src/linux/checkers/worker.ts runs as a worker thread');

// Streams and datagrams only: PING_CHECK stays on the main thread (worker-checkers.ts), as the
// raw-socket addon cannot be loaded in a worker thread.
const io: CheckerIo = {
  openStream,
  openDatagram,
  openEcho: () => {
    throw new Error('PING_CHECK runs on the main thread');
  },
};
// No raw socket here reads a packet per loop turn (real-clock.ts): a late timer waits one turn.
const clock = new RealClock({ lateExpiryTurns: 1 });
/** One Checker per main-thread checker, made from its spec sent once ('add'), so its ICMP sequence numbers go on from run to run. */
const checkers = new Map<number, Checker>();
const running = new Map<number, AbortController>();

port.on('message', (request: CheckRequest) => {
  switch (request.type) {
    case 'add':
      checkers.set(request.checker, new Checker(request.spec, { io, clock }));
      return;
    case 'run': {
      const checker = checkers.get(request.checker);
      if (!checker) {
        const report: CheckReport = { type: 'error', id: request.id, message: `the checkers' worker thread has no checker ${request.checker}` };
        port.postMessage(report);
        return;
      }
      const abort = new AbortController();
      running.set(request.id, abort);
      void checker.run(abort.signal, request.retry).then((result) => {
        running.delete(request.id);
        const report: CheckReport = { type: 'result', id: request.id, result };
        port.postMessage(report);
      });
      return;
    }
    case 'abort':
      running.get(request.id)?.abort();
      return;
    case 'forget':
      checkers.delete(request.checker);
      return;
  }
});
