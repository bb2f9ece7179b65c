// The one runner of the conformance cases (README.md beside this file): each host of a case is
// the real daemon - Daemon, the VRRP subsystem, the Supervisor of tracking, sync groups and
// notifications, Operations for reloads - on a FakePlatform, its keepalived.conf read by the real
// loader, all on one VirtualClock. The runner steps from one timer to the next, applies the
// inputs at their times, and writes what the hosts did as a timeline.
import { readFileSync } from 'node:fs';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { Writable } from 'node:stream';
import { basename, join } from 'node:path';
import { formatIssue, hasErrors } from '../../src/config/issues.js';
import { withHostIssues } from '../../src/config/host-check.js';
import { loadConfigFile, type LoadResult } from '../../src/config/load.js';
import type { VrrpdConfig } from '../../src/config/model.js';
import { canonicalAddress } from '../../src/core/address.js';
import { createLogger, type Logger } from '../../src/core/log.js';
import { VirtualClock } from '../../src/core/virtual-clock.js';
import { Daemon } from '../../src/daemon/daemon.js';
import { Operations } from '../../src/daemon/operations/operations.js';
import type { InstanceStatus } from '../../src/daemon/vrrp/routers.js';
import { vrrpSubsystem } from '../../src/daemon/vrrp/subsystem.js';
import { Supervisor } from '../../src/daemon/vrrp/supervisor.js';
import type { FifoPort } from '../../src/notify/fifo.js';
import { splitCommandLine } from '../../src/scripting/command-line.js';
import type { ProcessRunner, RunOutcome, RunRequest } from '../../src/scripting/process-runner.js';
import { UserDatabase } from '../../src/scripting/users.js';
import { advertisementIntervalMs, decodeAdvertisement, encodeAdvertisement, VRRP_MULTICAST_GROUP } from '../../src/vrrp/packet/advertisement.js';
import { FakeFiles, FakeProcessTable } from '../tracking/fakes.js';
import { FakePlatform, FakeSegment, type SegmentPacket } from '../daemon/fake-platform.js';
import { InputError, parseInputs, type HostCommand, type HostDeclaration, type PeerPacket } from './inputs.js';
import { printAdvert, toAdvertisement } from './packet-text.js';

/** Turns of the event loop after each timer and input: enough for every chain of promises and deferred work the daemon starts. */
const SETTLE_TURNS = 10;
/** The users scripts may run as (`notify_master SCRIPT lb`). */
const PASSWD = 'root:x:0:0::/root:/bin/sh\nlb:x:120:121::/:/bin/false\nnobody:x:65534:65534::/:/bin/false\n';
const GROUP = 'root:x:0:\nlb:x:121:\nnogroup:x:65534:\n';
/** Log events shown through the host's own lines instead (the `ip` lines). */
const SHOWN_AS_HOST_CHANGES = new Set(['addresses-added', 'addresses-removed', 'routes-added', 'routes-removed', 'rules-added', 'rules-removed']);
const LEVELS: Record<number, string> = { 30: 'info', 40: 'warn', 50: 'error', 60: 'fatal' };

interface Line {
  readonly time: number;
  readonly who: string;
  readonly kind: string;
  readonly text: string;
}

/** Runs the case in `folder`; returns its timeline and end state as the expected file holds them. */
export async function runCase(folder: string): Promise<string> {
  const file = `${basename(folder)}/inputs`;
  const inputs = parseInputs(readFileSync(join(folder, 'inputs'), 'utf8'), file);
  const run = new CaseRun(folder, inputs.hosts, inputs.allPackets);
  for (const step of inputs.steps) {
    await run.advanceTo(step.at);
    try {
      if ('peer' in step) run.peer(step.peer, step.text);
      else await run.host(step.host).input(step.command, step.text);
    } catch (error) {
      throw new InputError(`${file}:${step.line}: ${(error as Error).message}`);
    }
    await run.advanceTo(step.at);
  }
  await run.advanceTo(inputs.endAt);
  const text = run.render(inputs.endAt);
  await run.shutdown();
  return text;
}

class CaseRun {
  readonly clock = new VirtualClock();
  readonly segment = new FakeSegment(this.clock);
  readonly lines: Line[] = [];
  private readonly hosts = new Map<string, CaseHost>();
  /** The last advertisement shown per sender and VRID, to leave out the steady ones. */
  private readonly lastShown = new Map<string, { text: string; time: number }>();

  constructor(
    readonly folder: string,
    declarations: readonly HostDeclaration[],
    private readonly allPackets: boolean,
  ) {
    for (const declaration of declarations) this.hosts.set(declaration.name, new CaseHost(this, declaration));
  }

  host(name: string): CaseHost {
    return this.hosts.get(name)!;
  }

  record(who: string, kind: string, text: string): void {
    this.lines.push({ time: this.clock.now(), who, kind, text: text.replaceAll(`${this.folder}/`, '') });
  }

  /**
   * A sent advertisement, unless it is the same as the previous one of its sender and VRID and
   * comes one advertisement interval after it (a Master's steady beat): those are only counted.
   */
  sent(who: string, packet: SegmentPacket): void {
    const decoded = decodeAdvertisement(packet.bytes, packet);
    const where = `(${packet.interfaceName} ${packet.source} > ${packet.destination})`;
    if (!decoded.ok) {
      this.record(who, 'send', `malformed: ${decoded.rejection.detail} ${where}`);
      return;
    }
    const text = `${printAdvert(decoded.advertisement, decoded.checksum, packet.family)} ${where}`;
    const key = `${who}|${packet.interfaceName}|${packet.destination}|${decoded.advertisement.vrid}`;
    const previous = this.lastShown.get(key);
    const now = this.clock.now();
    this.lastShown.set(key, { text, time: now });
    const steady = previous?.text === text && Math.abs(now - previous.time - advertisementIntervalMs(decoded.advertisement)) < 1e-6;
    if (!steady || this.allPackets) this.record(who, 'send', text);
  }

  peer(peer: PeerPacket, text: string): void {
    this.record('peer', '>', text.replace(/^peer\s+/, ''));
    const destination = peer.destination ?? VRRP_MULTICAST_GROUP[peer.family];
    const ip = { family: peer.family, source: peer.source, destination };
    const bytes = 'hex' in peer.packet ? Uint8Array.from(Buffer.from(peer.packet.hex, 'hex')) : encodeAdvertisement(toAdvertisement(peer.packet.fields), ip, peer.packet.fields.checksum);
    const packet: SegmentPacket = { interfaceName: peer.interfaceName, family: peer.family, bytes, source: peer.source, destination, ttl: peer.ttl };
    this.segment.deliver(undefined, packet);
    if (peer.repeat) {
      const { everyMs, untilMs } = peer.repeat;
      for (let at = this.clock.now() + everyMs; at <= untilMs; at += everyMs) this.clock.setTimer(at - this.clock.now(), () => this.segment.deliver(undefined, packet));
    }
  }

  /** Runs every timer due until `time`, one instant at a time, letting the daemons' promises settle after each. */
  async advanceTo(time: number): Promise<void> {
    for (let next = this.clock.nextAt(); next !== undefined && next <= time; next = this.clock.nextAt()) {
      this.clock.advanceTo(next);
      await settle();
    }
    this.clock.advanceTo(time);
    await settle();
  }

  render(endAt: number): string {
    const width = Math.max(4, ...[...this.hosts.keys()].map((name) => name.length));
    // A text of several lines (a rejected reload's reasons) continues under its first line.
    const indent = ' '.repeat(10 + 2 + width + 2 + 6);
    const timeline = this.lines.map((line) => `${line.time.toFixed(3).padStart(10)}  ${line.who.padEnd(width)}  ${line.kind.padEnd(5)} ${line.text.split('\n').join(`\n${indent}`)}`.trimEnd());
    const end = [`-- end at ${endAt}`];
    for (const host of this.hosts.values()) end.push(...host.summary().map((text) => `${host.name.padEnd(width)}  ${text}`));
    return [...timeline, ...end].join('\n') + '\n';
  }

  async shutdown(): Promise<void> {
    for (const host of this.hosts.values()) host.mute();
    const stopped = Promise.all([...this.hosts.values()].map((host) => host.stopQuietly()));
    let done = false;
    void stopped.finally(() => (done = true));
    for (let i = 0; i < 100 && !done; i++) await settle();
  }
}

type ScriptResult = { readonly exit: number } | 'timeout';

/** One host of the case: the daemon as `vrrpd run` composes it, on fake ports whose results are inputs. */
class CaseHost implements ProcessRunner {
  readonly name: string;
  readonly platform: FakePlatform;
  readonly files = new FakeFiles();
  private readonly log: Logger;
  private readonly daemon: Daemon;
  private readonly addresses: Map<string, string[]>;
  private configFile: string;
  private condition: 'not started' | 'running' | 'stopped' | 'crashed' | 'refused to start' = 'not started';
  private muted = false;
  /** vrrp_script command lines (argv joined) of every configuration loaded, and their names. */
  private readonly scriptNames = new Map<string, string>();
  private readonly scriptResults = new Map<string, ScriptResult>();
  /** How often each vrrp_script ran, for the summary (the runs themselves are not shown: one per interval). */
  private readonly scriptRuns = new Map<string, number>();
  private readonly fifo: FifoPort = { writeLine: (line) => this.record('fifo', line), close: () => undefined };

  constructor(
    private readonly lan: CaseRun,
    declaration: HostDeclaration,
  ) {
    this.name = declaration.name;
    this.configFile = declaration.config;
    this.addresses = new Map([...declaration.interfaces].map(([name, list]) => [name, [...list]]));
    const index = lan.segment.hosts.length + 1;
    const states = [...declaration.interfaces.keys()].map((name, i) => this.interfaceState(name, index, i + 2));
    this.platform = new FakePlatform(lan.segment, states[0]!, states.slice(1));
    this.platform.observer = {
      sent: (packet) => {
        if (!this.muted) lan.sent(this.name, packet);
      },
      changed: (call) => this.record('ip', ipCommand(call)),
      announced: (interfaceName, family, addresses, count) => this.record(family === 'ipv4' ? 'garp' : 'na', `${interfaceName} x${count} ${addresses.join(' ')}`),
    };
    this.log = createLogger({ level: 'info', destination: this.logSink(), readable: false });
    const { clock } = lan;
    const users = new UserDatabase(PASSWD, GROUP);
    const supervisor = async (config: VrrpdConfig): Promise<Supervisor> => {
      this.learnScripts(config);
      return new Supervisor(config, {
        clock,
        log: this.log,
        runner: this,
        files: this.files,
        processes: new FakeProcessTable(),
        users,
        security: { stat: () => ({ uid: 0, gid: 0, mode: 0o100755 }), realpath: (path) => path },
        ...(config.global.notifyFifo ? { fifo: this.fifo } : {}),
      });
    };
    this.daemon = new Daemon([vrrpSubsystem({ platform: this.platform, clock, log: this.log, supervisor })], this.log);
  }

  record(kind: string, text: string): void {
    if (!this.muted) this.lan.record(this.name, kind, text);
  }

  mute(): void {
    this.muted = true;
  }

  async input(command: HostCommand, text: string): Promise<void> {
    this.record('>', text);
    switch (command.do) {
      case 'start':
        return this.start();
      case 'sigterm':
        // As `vrrpd run` on SIGTERM: the daemon stops (Masters hand over with priority 0).
        this.condition = 'stopped';
        return this.background(this.daemon.stop());
      case 'crash':
        // The process is gone: nothing more leaves or reaches it, and what it does is not shown.
        this.condition = 'crashed';
        this.platform.disconnect();
        this.mute();
        return this.background(this.daemon.stop());
      case 'reload':
        // The operator puts the new configuration in place and sends SIGHUP; a rejected reload logs why.
        this.configFile = command.config;
        return this.background(this.operations().reload('SIGHUP'));
      case 'link':
        this.platform.emit({ type: 'link', interfaceName: command.interfaceName, up: command.up });
        return;
      case 'address':
        return this.changeAddress(command.change, command.interfaceName, command.address);
      case 'priority':
        return this.priority(command.instance, command.priority);
      case 'script':
        // Also before the start: the script's command line is that of the configuration in place.
        this.learnScripts(this.load().config);
        if (![...this.scriptNames.values()].includes(command.script)) throw new Error(`${this.name}: no vrrp_script ${command.script} in ${this.configFile} or the configurations loaded before`);
        this.scriptResults.set(command.script, command.result);
        return;
      case 'file':
        this.files.write(command.path, command.content);
        return;
      case 'status':
        for (const line of this.statusLines()) this.record('state', line);
        return;
    }
  }

  /** The end state: how the host ended, what it holds, each instance's status. */
  summary(): string[] {
    if (this.condition !== 'running') return [this.condition];
    const held = [...this.platform.addresses.present, ...this.platform.routes.present];
    const runs = [...this.scriptRuns].map(([name, count]) => `vrrp_script ${name} ran ${count} time${count === 1 ? '' : 's'}`);
    return [held.length > 0 ? `holds ${held.join(', ')}` : 'holds nothing', ...this.statusLines(), ...runs];
  }

  async stopQuietly(): Promise<void> {
    if (this.condition === 'running') await this.daemon.stop().catch(() => undefined);
  }

  // ---- ProcessRunner: vrrp_script checks answer as the inputs say; other scripts are shown and succeed ----

  run(request: RunRequest): Promise<RunOutcome> {
    const script = this.scriptNames.get(request.argv.join('\0'));
    if (script !== undefined) {
      this.scriptRuns.set(script, (this.scriptRuns.get(script) ?? 0) + 1);
      const result = this.scriptResults.get(script) ?? { exit: 0 };
      if (result !== 'timeout') return Promise.resolve({ kind: 'exited', code: result.exit });
      return new Promise((resolve) => {
        if (request.timeoutMs !== undefined) this.lan.clock.setTimer(request.timeoutMs, () => resolve({ kind: 'timed-out' }));
        request.signal?.addEventListener('abort', () => resolve({ kind: 'signalled', signal: 'SIGKILL' }));
      });
    }
    const who = request.uid !== 0 || request.gid !== 0 ? ` (as ${request.uid}:${request.gid})` : '';
    this.record('run', request.argv.map(quoted).join(' ') + who);
    // notify_fifo_script runs as long as vrrpd does, until its signal stops it.
    if (request.timeoutMs === undefined && request.signal) {
      const signal = request.signal;
      return new Promise((resolve) => signal.addEventListener('abort', () => resolve({ kind: 'signalled', signal: 'SIGTERM' })));
    }
    return Promise.resolve({ kind: 'exited', code: 0 });
  }

  // ----

  private async start(): Promise<void> {
    const loaded = this.load();
    for (const issue of loaded.issues) this.record('stderr', formatIssue(issue));
    if (hasErrors(loaded.issues)) {
      this.condition = 'refused to start';
      this.record('stderr', `vrrpd: ${this.configFile} has errors; not started`);
      return;
    }
    this.condition = 'running';
    return this.background(
      this.daemon.start(loaded.config).catch((error: unknown) => {
        this.condition = 'refused to start';
        this.record('stderr', `vrrpd: ${(error as Error).message}`);
      }),
    );
  }

  /** Reloads as `vrrpd run` does them, from the file the host's configuration is now in. */
  private operations(): Operations {
    return new Operations({ daemon: this.daemon, log: this.log, file: this.configFile, load: async () => this.load() });
  }

  /** As `vrrpd run` loads at start and on reload: the file, then the interfaces it names must exist on this host. */
  private load(): LoadResult {
    return withHostIssues(loadConfigFile(join(this.lan.folder, this.configFile)), (name) => this.platform.interfaces.has(name));
  }

  /** Lets `work` go on while time passes (a start waits for its scripts' first results, a stop for its hand-over). */
  private background(work: Promise<unknown>): void {
    work.catch(() => undefined);
  }

  private async priority(instance: string, priority: number | 'reset'): Promise<void> {
    const handler = this.daemon.commands().find(([name]) => name === 'priority')![1];
    const args = priority === 'reset' ? { instance, reset: true } : { instance, priority };
    try {
      await handler({ command: 'priority', args });
    } catch (error) {
      this.record('reply', `error: ${(error as Error).message}`);
    }
  }

  /** Someone (the operator, DHCP, the kernel) adds or removes an address; the daemon hears of it as from netlink. */
  private changeAddress(change: 'add' | 'remove', interfaceName: string, spec: string): void {
    const [address = '', prefix = ''] = spec.split('/');
    const list = this.addresses.get(interfaceName);
    if (!list) throw new Error(`${this.name} has no interface ${interfaceName}`);
    if (change === 'add' && !list.includes(spec)) list.push(spec);
    if (change === 'remove' && list.includes(spec)) list.splice(list.indexOf(spec), 1);
    const previous = this.platform.interfaces.get(interfaceName)!;
    this.platform.interfaces.set(interfaceName, { ...this.interfaceState(interfaceName, 0, previous.index), mac: previous.mac });
    const event = { interfaceName, address: canonicalAddress(address.includes(':') ? 'ipv6' : 'ipv4', address) ?? address, prefixLength: Number(prefix) };
    this.platform.emit(change === 'add' ? { type: 'address-added', ...event } : { type: 'address-removed', ...event });
  }

  /** The interface as the host sees it: the first IPv4 address is the primary, the first fe80:: one the link-local. */
  private interfaceState(name: string, host: number, index: number) {
    const list = (this.addresses.get(name) ?? []).map((spec) => spec.split('/')[0]!);
    const ipv4 = list.find((address) => !address.includes(':'));
    const ipv6LinkLocal = list.find((address) => address.toLowerCase().startsWith('fe80:'));
    const mac = `02:00:00:00:${hex(host)}:${hex(index)}`;
    return { name, index, up: true, mac, ...(ipv4 ? { ipv4 } : {}), ...(ipv6LinkLocal ? { ipv6LinkLocal } : {}) };
  }

  private learnScripts(config: VrrpdConfig): void {
    for (const script of config.scripts) {
      try {
        this.scriptNames.set(splitCommandLine(script.script).join('\0'), script.name);
      } catch {
        // A command line the supervisor refuses never runs.
      }
    }
  }

  private statusLines(): string[] {
    const status = this.daemon.status()['instances'] as InstanceStatus[] | undefined;
    return (status ?? []).map(describeInstance);
  }

  /** The host's log: transitions, tracker changes, warnings, errors, each at the virtual time it was written. */
  private logSink(): Writable {
    return new Writable({
      write: (chunk: Buffer, _encoding, done) => {
        for (const line of chunk.toString('utf8').split('\n')) {
          if (line.trim() === '') continue;
          const record = JSON.parse(line) as { level: number; msg?: string; event?: string };
          if (record.event !== undefined && SHOWN_AS_HOST_CHANGES.has(record.event)) continue;
          this.record(LEVELS[record.level] ?? String(record.level), record.msg ?? '');
        }
        done();
      },
    });
  }
}

async function settle(): Promise<void> {
  for (let i = 0; i < SETTLE_TURNS; i++) await nextTurn();
}

function hex(value: number): string {
  return value.toString(16).padStart(2, '0');
}

function quoted(word: string): string {
  return /^[\w./:=@%+,-]+$/.test(word) ? word : JSON.stringify(word);
}

/** `add 192.0.2.100/24 dev eth0` -> `address add 192.0.2.100/24 dev eth0`; `add route ...` -> `route add ...`. */
function ipCommand(call: string): string {
  const [change, ...rest] = call.split(' ');
  if (rest[0] === 'route' || rest[0] === 'rule') return `${rest[0]} ${change} ${rest.slice(1).join(' ')}`;
  return `address ${change} ${rest.join(' ')}`;
}




/** `VI_1 Backup priority 120 (base 150); master 192.0.2.1 priority 150; sent 0, received 12; ...` */
function describeInstance(status: InstanceStatus): string {
  const priority = [`base ${status.basePriority}`, ...(status.priorityOverride !== null ? [`override ${status.priorityOverride}`] : [])];
  const parts = [`${status.name} ${status.state} priority ${status.effectivePriority}${status.effectivePriority !== status.basePriority || status.priorityOverride !== null ? ` (${priority.join(', ')})` : ''}`];
  if (status.master) parts.push(`master ${status.master.address} priority ${status.master.priority}`);
  if (status.state === 'Backup') parts.push(`master down interval ${status.masterDownIntervalMs}`);
  parts.push(`sent ${status.statistics.advertisementsSent}, received ${status.statistics.advertisementsReceived}`);
  const rejected = Object.entries(status.statistics.rejected).filter(([, count]) => count > 0);
  if (rejected.length > 0) parts.push(`rejected ${rejected.map(([reason, count]) => `${reason} ${count}`).join(', ')}`);
  for (const tracker of status.trackers) {
    const effect = tracker.fault ? 'fault' : tracker.ignored ? 'ignored' : tracker.applied;
    parts.push(`${tracker.kind} ${tracker.name} ${tracker.state} (${effect})${tracker.detail !== undefined ? `: ${tracker.detail}` : ''}`);
  }
  if (status.faultReasons.length > 0) parts.push(`fault: ${status.faultReasons.join(', ')}`);
  if (status.syncGroup) parts.push(`sync group ${status.syncGroup}`);
  return parts.join('; ');
}
