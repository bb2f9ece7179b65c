// The story `vrrpd lab` tells with real daemons on a namespace lab: election, a Master killed
// with SIGKILL and the failover measured against Master_Down_Interval (RFC 5798 §6.1), the killed
// router rejoining, and a runtime priority override moving mastership away and back.
import { mkdirSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatStatusTable, priority } from '../status.js';
import { masterDownInterval, skewTime } from '../../vrrp/protocol/timers.js';
import { NamespaceLab } from './namespaces.js';
import { seconds, type Narrator } from './narrator.js';
import { ADVERT_INTERVAL_MS, INSTANCE, LabRouter, planRouters, VIP } from './routers.js';

export const LAB_PREFIX = 'vrrpdlab';
/**
 * Each lab's files (configurations, control sockets, logs): `<LAB_STATE_DIR>/<lab id>/`.
 * VRRPD_LAB_DIR moves it (where /run is not writable, and for tests).
 */
export const LAB_STATE_DIR = process.env['VRRPD_LAB_DIR'] ?? '/run/vrrpd-lab';
/** A lab left up on purpose (`--keep`) has this file in its directory; sweeps leave it alone. */
export const KEPT_MARKER = 'kept';

/** How long any one step may take before the lab gives up: several Master_Down_Intervals. */
const STEP_TIMEOUT_MS = 20_000;
const POLL_MS = 20;

export interface LabOptions {
  readonly routers: number;
  readonly keep: boolean;
  /** How the operator calls vrrpd (for the commands printed with --keep). */
  readonly vrrpdCommand: string;
}

export class Lab {
  readonly directory: string;
  readonly routers: LabRouter[] = [];

  private constructor(
    readonly namespaces: NamespaceLab,
    private readonly say: Narrator,
    private readonly abort: AbortSignal,
  ) {
    this.directory = join(LAB_STATE_DIR, namespaces.id);
  }

  /** Makes the lab's namespaces and directory; on failure, whatever was made is removed by destroy(). */
  static async create(say: Narrator, abort: AbortSignal, onCreated: (lab: Lab) => void): Promise<Lab> {
    const lab = new Lab(await NamespaceLab.create(LAB_PREFIX), say, abort);
    onCreated(lab);
    mkdirSync(lab.directory, { recursive: true, mode: 0o700 });
    return lab;
  }

  async build(count: number): Promise<void> {
    this.step(`Building the lab ${this.namespaces.id}`);
    this.say.line(`switch: namespace ${this.namespaces.switchNetns}, bridge br0`);
    for (const plan of planRouters(count)) {
      this.abort.throwIfAborted();
      const host = await this.namespaces.addHost(plan.name, [`${plan.address}/24`]);
      const router = new LabRouter(plan, host, this.directory);
      router.writeConfig();
      this.routers.push(router);
      this.say.line(`${plan.name}: namespace ${host.netns}, eth0 ${plan.address}/24, priority ${plan.priority}, ${router.configFile}`);
    }
  }

  async startDaemons(): Promise<void> {
    this.step('Starting vrrpd in every router (VRRPv3, advert_int 1 s, VIP 192.0.2.100/24)');
    for (const router of this.routers) {
      await router.start(this.abort);
      this.say.line(`${router.name}: vrrpd pid ${router.pid}, log ${router.logFile}`);
    }
  }

  async election(): Promise<LabRouter> {
    this.step('Election');
    const [highest] = this.routers;
    if (highest) {
      const mdi = masterDownInterval(3, highest.plan.priority, ADVERT_INTERVAL_MS);
      this.say.line(`every router starts as Backup; the first whose Master_Down_Interval expires unheard becomes Master: ${highest.name}, after ${seconds(mdi, 3)} (priority ${highest.plan.priority})`);
    }
    const since = performance.now();
    const { router: master, seenAt } = await this.waitForSoleMaster(this.routers, 'the election');
    this.say.line(`${master.name} is Master (priority ${master.plan.priority}) and holds ${VIP}, ${seconds(seenAt - since, 1)} after the daemons answered`);
    const { stdout } = await master.host.ip('-brief', 'addr', 'show', 'dev', 'eth0');
    this.say.command(`ip -n ${master.host.netns} -brief addr show dev eth0`, stdout);
    for (const router of this.routers) {
      const status = await router.status();
      this.say.command(`vrrpd status --control-socket ${router.controlSocket}`, status ? formatStatusTable([status]) : '(no answer)');
    }
    return master;
  }

  async failover(master: LabRouter): Promise<LabRouter> {
    this.step(`Failover: SIGKILL the Master's vrrpd (${master.name}, pid ${master.pid})`);
    const survivors = this.routers.filter((router) => router !== master);
    const killedAt = performance.now();
    const killedAtEpoch = Date.now();
    await master.kill();
    this.say.line('killed; waiting for a Backup to hear no advertisement for its Master_Down_Interval');
    const { router: next, seenAt } = await this.waitForSoleMaster(survivors, 'a Backup to take over');
    // The new Master's own log line is the exact moment (same clock, ms); `ip` shows the VIP a poll later.
    const loggedAt = next.loggedAt(killedAtEpoch, 'transition', { to: 'Master' });
    const failoverMs = loggedAt !== undefined ? loggedAt - killedAtEpoch : seenAt - killedAt;
    const priority = next.plan.priority;
    const bound = masterDownInterval(3, priority, ADVERT_INTERVAL_MS);
    this.say.line(`${next.name} took over: failover time ${seconds(failoverMs)} from the kill to ${next.name}'s transition to Master (its log)`);
    this.say.line(`${VIP} showed on ${next.name}'s eth0 (ip addr) ${seconds(seenAt - killedAt)} after the kill`);
    this.say.line(
      `Master_Down_Interval of ${next.name} (priority ${priority}) = 3 x ${seconds(ADVERT_INTERVAL_MS, 0)} + Skew_Time ${seconds(skewTime(3, priority, ADVERT_INTERVAL_MS), 3)} = ${seconds(bound, 3)}`,
    );
    this.say.line(
      failoverMs <= bound
        ? `within it: a Backup declares the Master down Master_Down_Interval after the last advertisement it heard, sent up to ${seconds(ADVERT_INTERVAL_MS, 0)} before the kill`
        : `${seconds(failoverMs - bound, 3)} over it: the machine is busy (the daemons share the CPU with everything else)`,
    );
    const stale = await master.holdsVip();
    if (stale) this.say.line(`${master.name}'s eth0 still carries ${VIP}: a SIGKILLed daemon cannot remove its address`);
    return next;
  }

  async rejoin(router: LabRouter): Promise<void> {
    this.step(`${router.name} comes back: vrrpd run again`);
    const startedAt = performance.now();
    const startedAtEpoch = Date.now();
    await router.start(this.abort);
    this.say.line(`${router.name}: vrrpd pid ${router.pid}`);
    if (router.loggedAt(startedAtEpoch, 'stale-addresses-removed') !== undefined) {
      this.say.line(`${router.name}'s vrrpd removed ${VIP}, left by its killed run, at start (vrrpd tags the addresses it adds)`);
    }
    const { seenAt } = await this.waitForSoleMaster(this.routers, `${router.name} to preempt`, router);
    this.say.line(`${router.name} is Master again ${seconds(seenAt - startedAt)} after the restart: priority ${router.plan.priority} preempts`);
  }

  /** `vrrpd priority` on the Master: lower than the next router, mastership moves; --reset moves it back. */
  async override(master: LabRouter): Promise<void> {
    const next = [...this.routers].filter((router) => router !== master).sort((a, b) => b.plan.priority - a.plan.priority)[0];
    if (!next) return;
    const lowered = Math.max(1, next.plan.priority - 10);
    this.step(`Priority override: ${master.name} steps down, then takes mastership back`);
    let output = '';
    const collect = (text: string): void => void (output += text);

    await priority({ socket: master.controlSocket, instance: INSTANCE, priority: String(lowered), reset: false }, collect);
    this.say.command(`vrrpd priority ${INSTANCE} ${lowered} --control-socket ${master.controlSocket}`, output);
    let since = performance.now();
    let { seenAt } = await this.waitForSoleMaster(this.routers, `${next.name} to take over`, next);
    this.say.line(`override: ${next.name} (priority ${next.plan.priority}) is Master ${seconds(seenAt - since)} later; ${master.name} advertises ${lowered}`);

    output = '';
    await priority({ socket: master.controlSocket, instance: INSTANCE, reset: true }, collect);
    this.say.command(`vrrpd priority ${INSTANCE} --reset --control-socket ${master.controlSocket}`, output);
    since = performance.now();
    ({ seenAt } = await this.waitForSoleMaster(this.routers, `${master.name} to take mastership back`, master));
    this.say.line(`back: ${master.name} (priority ${master.plan.priority}) is Master ${seconds(seenAt - since)} later`);
    const status = await master.status();
    this.say.command(`vrrpd status --control-socket ${master.controlSocket}`, status ? formatStatusTable([status]) : '(no answer)');
  }

  /** Leaves the lab up (`--keep`) and says how to explore and remove it. */
  keep(vrrpd: string): void {
    this.namespaces.release();
    writeFileSync(join(this.directory, KEPT_MARKER), `${new Date().toISOString()}\n`);
    const [first, second] = this.routers;
    this.step(`The lab stays up (--keep): ${this.namespaces.id}`);
    if (!first || !second) return;
    const commands: Array<[string, string]> = [
      [`ip netns exec ${first.host.netns} bash`, `a shell in ${first.name}`],
      [`ip -n ${first.host.netns} addr show dev eth0`, `does ${first.name} hold ${VIP}?`],
      [`${vrrpd} status --control-socket ${first.controlSocket}`, `${first.name}'s view`],
      [`${vrrpd} priority ${INSTANCE} 90 --control-socket ${first.controlSocket}`, `${first.name} steps down (--reset to undo)`],
      [`ip netns exec ${second.host.netns} ${vrrpd} watch -i eth0 --duration 5`, 'who advertises on the link'],
      [`kill -9 ${first.pid}`, `crash ${first.name}'s vrrpd`],
      [`tail -f ${first.logFile}`, `${first.name}'s log (JSON lines)`],
      [`${vrrpd} lab --clean ${this.namespaces.id}`, 'remove the lab (--clean alone: every kept lab)'],
    ];
    const width = Math.max(...commands.map(([command]) => command.length));
    for (const [command, comment] of commands) this.say.command(`${command.padEnd(width)}  # ${comment}`);
  }

  /** Kills the daemons and removes the namespaces and files. */
  async destroy(): Promise<string> {
    const daemons = this.routers.filter((router) => router.running).length;
    await this.namespaces.destroy();
    try {
      rmSync(this.directory, { recursive: true, force: true });
    } catch {
      // It could not be made (the error that stopped the lab says why).
    }
    try {
      rmdirSync(LAB_STATE_DIR); // only when no other lab has files there
    } catch {
      // not empty, or not there
    }
    const count = this.namespaces.namespaces.length;
    return `stopped ${daemons} vrrpd, removed ${count} namespace${count === 1 ? '' : 's'} and ${this.directory}`;
  }

  /**
   * Starts a numbered step, unless a signal asked the lab to stop: a SIGINT that lands while a wait
   * is between polls must not let the next step (a SIGKILL, a restart) begin.
   */
  private step(title: string): void {
    this.abort.throwIfAborted();
    this.say.step(title);
  }

  /**
   * Waits until exactly one of `candidates` holds the VIP and says it is Master (and, when given,
   * that it is `expected`), and every other running router says Backup.
   */
  private async waitForSoleMaster(candidates: readonly LabRouter[], what: string, expected?: LabRouter): Promise<{ router: LabRouter; seenAt: number }> {
    const start = performance.now();
    for (;;) {
      this.abort.throwIfAborted();
      const holders: LabRouter[] = [];
      for (const router of candidates) if (await router.holdsVip()) holders.push(router);
      const seenAt = performance.now();
      const [holder] = holders;
      if (holders.length === 1 && holder && (!expected || holder === expected)) {
        const states = await Promise.all(this.routers.filter((router) => router.running).map(async (router) => [router, (await router.status())?.state] as const));
        if (states.every(([router, state]) => state === (router === holder ? 'Master' : 'Backup'))) return { router: holder, seenAt };
      }
      if (performance.now() - start > STEP_TIMEOUT_MS) {
        const logs = this.routers.map((router) => `--- ${router.name} (${router.logFile})\n${router.logTail(8)}`).join('\n');
        throw new Error(`timed out after ${seconds(STEP_TIMEOUT_MS, 0)} waiting for ${what}; VIP on: ${holders.map((r) => r.name).join(', ') || 'nobody'}\n${logs}`);
      }
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  }
}
