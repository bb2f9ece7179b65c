// The built-in checkers on this host (HTTP_GET, SSL_GET, TCP_CHECK, PING_CHECK, DNS_CHECK,
// UDP_CHECK, SMTP_CHECK), shared by every vrrp_script with a checker block and every real server's checker.
import type { CheckerHost } from '../checkers/checker.js';
import { inThreadCheckers } from '../checkers/checker.js';
import type { Clock } from '../core/clock.js';
import { LinuxCheckerIo } from '../linux/checkers/io.js';
import { WorkerCheckers } from '../linux/checkers/worker-checkers.js';

export interface LinuxCheckers {
  readonly host: CheckerHost;
  /** Closes the shared ICMP sockets and ends the worker thread. */
  close(): void;
}

export function linuxCheckers(clock: Clock): LinuxCheckers {
  // The checkers' sockets: one raw ICMP socket per family for every PING_CHECK.
  const io = new LinuxCheckerIo();
  // Checks beyond twenty runs a second, and node:tls handshakes, run in a worker thread (TLS
  // handshakes are milliseconds of CPU each: on the main loop, hundreds a second held VRRP's timers
  // back; bench checker-loop). VRRPD_CHECKER_THREAD=main keeps them all on the main loop, =worker
  // sends them all to the worker, for those comparisons.
  const onMainLoop = inThreadCheckers({ io, clock });
  const threads = process.env['VRRPD_CHECKER_THREAD'] === 'main' ? undefined : new WorkerCheckers(onMainLoop);
  return {
    host: threads ?? onMainLoop,
    close: () => {
      io.close();
      void threads?.close();
    },
  };
}
