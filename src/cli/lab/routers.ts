// The routers of `vrrpd lab`: their plan (names, addresses, priorities), their keepalived.conf,
// and the real daemon (`bin/vrrpd run`) started in each namespace with its own control socket.
import type { ChildProcess } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sendControlRequest } from '../../control/client.js';
import type { InstanceStatus } from '../../daemon/vrrp/routers.js';
import { packageRoot } from '../../linux/package-files.js';
import type { LabHost } from './namespaces.js';

/** Only documentation addresses (RFC 5737), inside namespaces the lab made. */
export const LAB_SUBNET_PREFIX = '192.0.2.';
export const VIP = '192.0.2.100';
export const INSTANCE = 'VI_1';
export const VRID = 51;
export const ADVERT_INTERVAL_MS = 1000;

/** The executable this process was started from (dist/cli/lab/ -> bin/vrrpd), the same in a clone and an npm install. */
export const VRRPD_BIN = join(packageRoot(import.meta.url), 'bin', 'vrrpd');

export interface RouterPlan {
  readonly name: string;
  readonly address: string;
  readonly priority: number;
}

/** Priorities spread evenly from 150 down to 50: three routers get 150, 100 and 50. */
export function planRouters(count: number): RouterPlan[] {
  return Array.from({ length: count }, (_, index) => ({
    name: `r${index + 1}`,
    address: `${LAB_SUBNET_PREFIX}${index + 1}`,
    priority: Math.round(150 - (100 * index) / (count - 1)),
  }));
}

export function routerConfig(plan: RouterPlan): string {
  return [
    `# vrrpd lab: router ${plan.name} (${plan.address})`,
    `vrrp_instance ${INSTANCE} {`,
    '  interface eth0',
    `  virtual_router_id ${VRID}`,
    `  priority ${plan.priority}`,
    `  advert_int ${ADVERT_INTERVAL_MS / 1000}`,
    '  version 3',
    '  virtual_ipaddress {',
    `    ${VIP}/24`,
    '  }',
    '}',
    '',
  ].join('\n');
}

/** A router of the lab: its namespace, files, and the vrrpd running there (if any). */
export class LabRouter {
  readonly configFile: string;
  readonly controlSocket: string;
  readonly logFile: string;
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();
  /** The daemon's pid, as it answers `ping` on its control socket. */
  pid: number | undefined;

  constructor(
    readonly plan: RouterPlan,
    readonly host: LabHost,
    directory: string,
  ) {
    this.configFile = join(directory, `${plan.name}.conf`);
    this.controlSocket = join(directory, `${plan.name}.sock`);
    this.logFile = join(directory, `${plan.name}.log`);
  }

  get name(): string {
    return this.plan.name;
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  writeConfig(): void {
    writeFileSync(this.configFile, routerConfig(this.plan));
  }

  /** The command line that starts this router's daemon, as an operator would type it. */
  get runCommand(): string {
    return `ip netns exec ${this.host.netns} vrrpd run -f ${this.configFile} --control-socket ${this.controlSocket}`;
  }

  /**
   * Starts vrrpd in the namespace, detached (a Ctrl-C on the terminal reaches the lab, which then
   * cleans up, not the daemons) and logging to a file (so it can outlive the lab with --keep).
   * Resolves when the control socket answers.
   */
  async start(abort: AbortSignal): Promise<void> {
    const log = openSync(this.logFile, 'a');
    try {
      this.child = this.host.spawn(process.execPath, [VRRPD_BIN, 'run', '-f', this.configFile, '--control-socket', this.controlSocket], {
        detached: true,
        stdio: ['ignore', log, log],
      });
    } finally {
      closeSync(log);
    }
    const child = this.child;
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    child.unref();
    const deadline = performance.now() + 15_000;
    for (;;) {
      abort.throwIfAborted();
      if (!this.running) throw new Error(`vrrpd on ${this.name} exited at start; its log (${this.logFile}):\n${this.logTail()}`);
      const answer = await sendControlRequest(this.controlSocket, { command: 'ping' }, 1000).catch(() => undefined);
      if (answer?.ok) {
        this.pid = (answer.result as { pid: number }).pid;
        return;
      }
      if (performance.now() > deadline) throw new Error(`vrrpd on ${this.name} did not answer on ${this.controlSocket} within 15 s; its log:\n${this.logTail()}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** SIGKILL: the daemon gets no chance to hand over or remove its addresses. */
  async kill(): Promise<void> {
    // The child is unref'd (it may outlive the lab); while we wait for its exit it must keep us alive.
    this.child?.ref();
    if (this.pid !== undefined) process.kill(this.pid, 'SIGKILL');
    await this.exited;
    this.child = undefined;
  }

  async status(): Promise<InstanceStatus | undefined> {
    if (!this.running) return undefined;
    const answer = await sendControlRequest(this.controlSocket, { command: 'status' }, 2000).catch(() => undefined);
    if (!answer?.ok) return undefined;
    return (answer.result as { instances: InstanceStatus[] }).instances.find((instance) => instance.name === INSTANCE);
  }

  /** Whether the VIP is on this router's eth0, as `ip addr` shows it. */
  async holdsVip(): Promise<boolean> {
    return (await this.host.addresses()).some((entry) => entry.startsWith(`${VIP}/`));
  }

  /** The daemon's JSON log lines (this run and earlier ones), parsed; lines that are not JSON are skipped. */
  logRecords(): Array<Record<string, unknown>> {
    if (!existsSync(this.logFile)) return [];
    const records: Array<Record<string, unknown>> = [];
    for (const line of readFileSync(this.logFile, 'utf8').split('\n')) {
      try {
        const record: unknown = JSON.parse(line);
        if (typeof record === 'object' && record !== null) records.push(record as Record<string, unknown>);
      } catch {
        // not a log record
      }
    }
    return records;
  }

  /** When the log first shows `event` (and `fields`) at or after `sinceEpochMs` (wall clock, ms). */
  loggedAt(sinceEpochMs: number, event: string, fields: Record<string, unknown> = {}): number | undefined {
    for (const record of this.logRecords()) {
      if (record['event'] !== event || typeof record['time'] !== 'string') continue;
      if (!Object.entries(fields).every(([key, value]) => record[key] === value)) continue;
      const at = Date.parse(record['time']);
      if (at >= sinceEpochMs) return at;
    }
    return undefined;
  }

  logTail(lines = 20): string {
    if (!existsSync(this.logFile)) return '(no log)';
    return readFileSync(this.logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  }
}
