// Whether and as whom an operator's script runs, as keepalived decides it: its own user, else
// script_user, else keepalived_script or root; with enable_script_security, a program running as
// root that someone else could change is refused (without it keepalived runs it and warns, once).
// Track scripts, notify scripts and the notify FIFO reader all go through this one policy.
import type { Logger } from '../core/log.js';
import { splitCommandLine } from './command-line.js';
import { insecurity, type SecurityFs } from './script-security.js';
import { ROOT, type ScriptIdentity, type UserDatabase } from './users.js';

export interface ScriptPolicySettings {
  /** global_defs script_user. */
  readonly scriptUser?: string;
  /** global_defs enable_script_security. */
  readonly enableScriptSecurity: boolean;
}

/** A command line made ready to run: its words, who it runs as, and why it may not run at all. */
export interface PreparedScript {
  readonly argv: readonly string[];
  readonly identity: ScriptIdentity;
  /** Why it must not run (unknown user, script security, unparsable command line). */
  readonly refused?: string;
}

export class ScriptPolicy {
  private readonly warnedInsecure = new Set<string>();

  constructor(
    private readonly settings: ScriptPolicySettings,
    private readonly users: UserDatabase,
    private readonly security: SecurityFs,
    private readonly log: Logger,
  ) {}

  /** The identity a script runs as: `user`, else script_user, else keepalived's default; root with the problem if it does not exist. */
  identity(user: string | undefined, what: string): { identity: ScriptIdentity; problem?: string } {
    try {
      return { identity: this.users.resolve(user ?? this.settings.scriptUser) };
    } catch (error) {
      return { identity: ROOT, problem: `${what}: ${(error as Error).message}` };
    }
  }

  /**
   * enable_script_security: a program running as root that someone else could change is refused.
   * Without it keepalived runs it and warns; so does vrrpd, once per program.
   */
  refusal(program: string, identity: ScriptIdentity, what: string): string | undefined {
    if (identity.uid !== 0) return undefined;
    const problem = insecurity(program, this.security);
    if (!problem) return undefined;
    if (this.settings.enableScriptSecurity) return `${problem} and it would run as root (enable_script_security)`;
    if (!this.warnedInsecure.has(program)) {
      this.warnedInsecure.add(program);
      this.log.warn({ event: 'script-insecure', what, program, problem }, `${what}: ${problem}, yet it runs as root; set enable_script_security to refuse such scripts`);
    }
    return undefined;
  }

  /** A command line as `what` (a vrrp_script, the notify_fifo_script) runs it, or why it may not. */
  prepare(commandLine: string, user: string | undefined, what: string): PreparedScript {
    const { identity, problem } = this.identity(user, what);
    let argv: string[] = [];
    let refused = problem;
    try {
      argv = splitCommandLine(commandLine);
    } catch (error) {
      refused ??= (error as Error).message;
    }
    refused ??= this.refusal(argv[0]!, identity, what);
    return { argv, identity, ...(refused ? { refused } : {}) };
  }
}
