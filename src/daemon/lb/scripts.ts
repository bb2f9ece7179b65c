// The load balancer's scripts: notify_up / notify_down of a real server and quorum_up /
// quorum_down of a virtual server, run as keepalived runs them (as written, no arguments added,
// as their own user else script_user), and MISC_CHECK, a checker that is a script. Whether and as
// whom a script runs is the one ScriptPolicy every vrrpd script goes through.
import type { MiscCheckConfig, LvsScriptConfig } from '../../config/virtual-server.js';
import type { Logger } from '../../core/log.js';
import type { CheckOutcome, RealServerCheck } from '../../lb/check-loop.js';
import type { ScriptPolicy } from '../../scripting/policy.js';
import { describeOutcome, type ProcessRunner } from '../../scripting/process-runner.js';

/** How long a notify script may run before it is killed with its process group (as VRRP's). */
export const LB_NOTIFY_TIMEOUT_MS = 30_000;

export interface ScriptHost {
  readonly policy: ScriptPolicy;
  readonly runner: ProcessRunner;
  readonly log: Logger;
}

/** Runs a notify script in the background; a failure is logged, never waited for. */
export function runNotifyScript(host: ScriptHost, script: LvsScriptConfig, what: string): void {
  const { argv, identity, refused } = host.policy.prepare(script.command, script.user, what);
  if (refused) {
    host.log.error({ event: 'lb-notify-refused', what, command: script.command, reason: refused }, `${what} not run: ${refused}`);
    return;
  }
  void host.runner.run({ argv, uid: identity.uid, gid: identity.gid, timeoutMs: LB_NOTIFY_TIMEOUT_MS }).then(
    (outcome) => {
      if (outcome.kind === 'exited' && outcome.code === 0) return;
      host.log.warn({ event: 'lb-notify-failed', what, command: script.command, outcome: describeOutcome(outcome) }, `${what} failed: ${describeOutcome(outcome)} (${script.command})`);
    },
    (error: unknown) => host.log.warn({ event: 'lb-notify-failed', what, command: script.command, error: (error as Error).message }, `${what} failed: ${(error as Error).message}`),
  );
}

/**
 * MISC_CHECK (keepalived's check_misc.c): the script passes with exit status 0 and fails
 * otherwise; with misc_dynamic, 1 fails and 2..255 pass with the server's weight set to status - 2.
 * A run longer than misc_timeout (default: the delay_loop) is killed and fails.
 */
export class MiscCheck implements RealServerCheck {
  constructor(
    private readonly host: ScriptHost,
    private readonly config: MiscCheckConfig,
    private readonly timeoutMs: number,
    private readonly what: string,
  ) {}

  async run(signal: AbortSignal): Promise<CheckOutcome> {
    const { argv, identity, refused } = this.host.policy.prepare(this.config.path, this.config.user, this.what);
    if (refused) return { ok: false, detail: `not run: ${refused}` };
    const outcome = await this.host.runner.run({ argv, uid: identity.uid, gid: identity.gid, timeoutMs: this.timeoutMs, signal });
    if (outcome.kind !== 'exited') return { ok: false, detail: describeOutcome(outcome) };
    if (outcome.code === 0) return { ok: true, detail: 'exit status 0' };
    if (this.config.dynamic && outcome.code >= 2) return { ok: true, detail: `exit status ${outcome.code}: weight ${outcome.code - 2}`, weight: outcome.code - 2 };
    return { ok: false, detail: describeOutcome(outcome) };
  }
}
