// Rejected packets are logged without flooding: the first of each (instance, reason) at once,
// then one summary line per interval with how many more arrived. A hostile or misconfigured
// neighbour sending thousands per second costs a handful of lines a minute.
import type { RejectReason } from '../../vrrp/packet/rejection.js';

export interface RejectionReport {
  readonly scope: string;
  readonly reason: RejectReason;
  readonly detail: string;
  /** How many were rejected since the previous report (1 for the first). */
  readonly count: number;
}

interface Pending {
  count: number;
  detail: string;
}

export class RejectionSummary {
  private readonly pending = new Map<string, Pending>();
  private readonly seen = new Set<string>();

  constructor(private readonly report: (report: RejectionReport) => void) {}

  /** Records one rejection; reports it at once if it is the first of its kind. */
  record(scope: string, reason: RejectReason, detail: string): void {
    const key = `${scope}\u0000${reason}`;
    if (!this.seen.has(key)) {
      this.seen.add(key);
      this.report({ scope, reason, detail, count: 1 });
      return;
    }
    const entry = this.pending.get(key);
    if (entry) {
      entry.count++;
      entry.detail = detail;
    } else this.pending.set(key, { count: 1, detail });
  }

  /** Called once per interval: one line per kind that recurred; quiet kinds may report again at once. */
  flush(): void {
    for (const key of this.seen) {
      const entry = this.pending.get(key);
      if (!entry) {
        this.seen.delete(key);
        continue;
      }
      const [scope = '', reason] = key.split('\u0000') as [string, RejectReason];
      this.report({ scope, reason, detail: entry.detail, count: entry.count });
    }
    this.pending.clear();
  }
}
