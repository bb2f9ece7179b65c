// CPU time of a daemon and everything it starts, in nanoseconds. /proc/PID/stat counts in clock
// ticks (10 ms) and counts a child only once reaped: at one check a second over a 10 s window the
// built-in checks' whole CPU is a few ticks, and vrrpd's idle CPU, subtracted from it, as many
// again, so the figure per check was mostly rounding. A cgroup of its own (cgroup v1 cpuacct, else
// cgroup v2's cpu.stat) counts every thread and every child, exited or not, to the nanosecond
// (v2: microsecond). Where neither can be made the ticks of /proc are used and `precise` says so.
import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const CLK_TCK = 100;
let made = 0;

export interface CpuReading {
  /** The daemon and its children, all threads. */
  readonly totalNs: number;
  /** The daemon's main thread alone (its event loop). */
  readonly mainThreadNs: number;
}

export class CpuMeter {
  private constructor(
    private readonly pid: number,
    private readonly group: { readonly dir: string; readonly v2: boolean } | undefined,
  ) {}

  /** Moves `pid` (and the children it starts from now on) into a cgroup of its own. */
  static attach(pid: number): CpuMeter {
    const candidates = [
      { root: '/sys/fs/cgroup/cpuacct', file: 'cpuacct.usage', v2: false },
      { root: '/sys/fs/cgroup/unified', file: 'cpu.stat', v2: true },
      { root: '/sys/fs/cgroup', file: 'cpu.stat', v2: true },
    ];
    for (const { root, file, v2 } of candidates) {
      if (!existsSync(join(root, file))) continue;
      const dir = join(root, `vrrpd-bench-${process.pid}-${++made}`);
      try {
        mkdirSync(dir);
        writeFileSync(join(dir, 'cgroup.procs'), String(pid));
        return new CpuMeter(pid, { dir, v2 });
      } catch {
        try {
          rmdirSync(dir);
        } catch {
          // not made
        }
      }
    }
    return new CpuMeter(pid, undefined);
  }

  /** Whether the total is the cgroup's (every child, ns) rather than /proc's ticks. */
  get precise(): boolean {
    return this.group !== undefined;
  }

  read(): CpuReading {
    return { totalNs: this.total(), mainThreadNs: schedstatNs(`/proc/${this.pid}/task/${this.pid}/schedstat`) };
  }

  /** Removes the cgroup once its processes are gone (a cgroup with processes cannot be removed). */
  async close(): Promise<void> {
    if (!this.group) return;
    for (let attempt = 0; attempt < 50; attempt++) {
      try {
        rmdirSync(this.group.dir);
        return;
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  }

  private total(): number {
    if (this.group?.v2 === false) return Number(readFileSync(join(this.group.dir, 'cpuacct.usage'), 'utf8'));
    if (this.group?.v2) return Number(/usage_usec (\d+)/.exec(readFileSync(join(this.group.dir, 'cpu.stat'), 'utf8'))?.[1] ?? Number.NaN) * 1000;
    try {
      const stat = readFileSync(`/proc/${this.pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return ((Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14])) / CLK_TCK) * 1e9;
    } catch {
      return Number.NaN;
    }
  }
}

function schedstatNs(file: string): number {
  try {
    return Number(readFileSync(file, 'utf8').split(' ')[0]);
  } catch {
    return Number.NaN;
  }
}

