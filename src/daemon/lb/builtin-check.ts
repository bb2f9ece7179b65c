// A real server's built-in checker (HTTP_GET, SSL_GET, TCP_CHECK, PING_CHECK, DNS_CHECK,
// UDP_CHECK, SMTP_CHECK) is the one a vrrp_script runs: src/checkers' Checker where the host runs checkers
// (on Linux the checkers' worker thread), its spec mapped from the resolved configuration as a
// vrrp_script's is. Only the schedule differs
// (the check loop's delay_loop and warmup), and the first run, which makes one attempt: keepalived
// starts a checker's retry count spent, so one failure starts a server out of service.
import type { CheckerConfig } from '../../config/checkers.js';
import type { CheckerHost } from '../../checkers/checker.js';
import type { RealServerCheck } from '../../lb/check-loop.js';
import { checkSpecOf } from '../../tracking/checker-spec.js';

export function builtinCheck(config: CheckerConfig, checkers: CheckerHost): RealServerCheck {
  const checker = checkers.checker(checkSpecOf(config));
  return {
    run: async (signal, first) => {
      const result = await checker.run(signal, first ? 0 : undefined);
      return { ok: result.ok, detail: result.detail, ...(result.failure ? { reason: result.failure.reason } : {}) };
    },
  };
}
