// The daemon: one VirtualRouter per configured instance, wired to the host through a Platform.
// Packets flow one way: socket → dispatchPacket → router → actions → InstanceActions → host.
import { VRRP_MULTICAST_GROUP } from '../packet/advertisement.js';
import type { Clock } from '../protocol/clock.js';
import { dispatchPacket } from '../protocol/dispatch.js';
import { VirtualRouter } from '../protocol/virtual-router.js';
import { InstanceActions, type InstanceBinding } from './instance-actions.js';
import type { Logger } from './log.js';
import type { HostEvent, OpenChannel, Platform, ReceivedPacket } from './ports.js';
import { RejectionSummary } from './rejection-summary.js';

export interface DaemonInstance extends InstanceBinding {
  /** keepalived unicast_src_ip. */
  readonly unicastSource?: string;
  /** The multicast group (keepalived vrrp_mcast_group4/6); unused with unicast peers. */
  readonly multicastGroup?: string;
}

export interface DaemonOptions {
  readonly instances: readonly DaemonInstance[];
  readonly platform: Platform;
  readonly clock: Clock;
  readonly log: Logger;
  /** keepalived vrrp_startup_delay. */
  readonly startupDelayMs?: number;
  /** How often repeated packet rejections are summarised in the log. */
  readonly rejectionSummaryMs?: number;
}

interface RunningInstance {
  readonly binding: DaemonInstance;
  readonly router: VirtualRouter;
  readonly actions: InstanceActions;
}

export class Daemon {
  private readonly running = new Map<string, RunningInstance>();
  private readonly channels = new Map<string, OpenChannel>();
  private readonly rejections: RejectionSummary;
  private stopWatching: (() => void) | undefined;
  private summaryTimer: NodeJS.Timeout | undefined;

  constructor(private readonly options: DaemonOptions) {
    this.rejections = new RejectionSummary((report) =>
      options.log.warn(
        { event: 'packets-rejected', scope: report.scope, reason: report.reason, count: report.count, detail: report.detail },
        `${report.scope}: rejected ${report.count} advertisement${report.count === 1 ? '' : 's'} (${report.reason}): ${report.detail}`,
      ),
    );
  }

  get instances(): ReadonlyMap<string, RunningInstance> {
    return this.running;
  }

  async start(): Promise<void> {
    const { platform, log } = this.options;
    // keepalived removes configured VIPs at start; vrrpd removes exactly what a previous run
    // of vrrpd left (its addresses are tagged), and nothing else.
    const stale = await platform.removeStaleAddresses();
    if (stale.length > 0) log.warn({ event: 'stale-addresses-removed', addresses: stale }, `removed ${stale.length} address(es) left by a previous vrrpd: ${stale.join(' ')}`);

    for (const binding of this.options.instances) await this.startInstance(binding);
    this.stopWatching = platform.watch((event) => this.onHostEvent(event));
    this.summaryTimer = setInterval(() => this.rejections.flush(), this.options.rejectionSummaryMs ?? 60_000);
    this.summaryTimer.unref();
  }

  private async startInstance(binding: DaemonInstance): Promise<void> {
    const { platform, clock, log } = this.options;
    const config = binding.router;
    const state = await platform.interfaceState(binding.interfaceName);
    const primary = config.family === 'ipv4' ? state.ipv4 : state.ipv6LinkLocal;
    const source = binding.unicastSource ?? primary;
    if (!source) {
      throw new Error(
        `${config.name}: interface ${binding.interfaceName} has no ${config.family === 'ipv4' ? 'IPv4 address' : 'IPv6 link-local address'} to send advertisements from`,
      );
    }
    const channel = await this.channelFor(binding, source);
    let actions: InstanceActions | undefined;
    const router: VirtualRouter = new VirtualRouter(config, {
      clock,
      primaryAddress: source,
      emit: (action) => actions?.perform(action, router.priority),
    });
    const announcer = await platform.announcer(binding.interfaceName, config.family);
    actions = new InstanceActions(binding, { channel, addresses: platform.addresses, announcer }, log);
    this.running.set(config.name, { binding, router, actions });
    if (!state.up) router.setFault(true, `interface ${binding.interfaceName} is down`);
    router.start(this.options.startupDelayMs ?? 0);
  }

  /** One channel per (interface, family, source): instances sharing it share the socket. */
  private async channelFor(binding: DaemonInstance, source: string): Promise<OpenChannel> {
    const family = binding.router.family;
    const key = `${binding.interfaceName}|${family}|${source}`;
    const existing = this.channels.get(key);
    if (existing) return existing;
    const unicast = binding.router.unicastPeers.length > 0;
    const channel = await this.options.platform.openChannel(
      {
        interfaceName: binding.interfaceName,
        family,
        groups: unicast ? [] : [binding.multicastGroup ?? VRRP_MULTICAST_GROUP[family]],
        ...(binding.unicastSource ? { sourceAddress: binding.unicastSource } : {}),
      },
      (packet) => this.onPacket(binding.interfaceName, family, packet),
    );
    this.channels.set(key, channel);
    return channel;
  }

  private onPacket(interfaceName: string, family: 'ipv4' | 'ipv6', packet: ReceivedPacket): void {
    const routers = [...this.running.values()].filter((r) => r.binding.interfaceName === interfaceName).map((r) => r.router);
    // Our own multicast copies are not looped back (IP_MULTICAST_LOOP off), but a second
    // instance sharing the source would see them: ignore packets from ourselves.
    if (this.isOwnSource(interfaceName, packet.source)) return;
    const results = dispatchPacket(routers, {
      bytes: packet.bytes,
      ip: { family, source: packet.source, destination: packet.destination },
      ...(packet.ttl !== undefined ? { ttl: packet.ttl } : {}),
    });
    for (const result of results) {
      if (result.kind === 'malformed') this.rejections.record(interfaceName, result.rejection.reason, `${result.rejection.detail} (from ${packet.source})`);
      else if (result.kind === 'received' && !result.outcome.accepted) {
        this.rejections.record(result.router.config.name, result.outcome.rejection.reason, result.outcome.rejection.detail);
      }
    }
  }

  private isOwnSource(interfaceName: string, source: string): boolean {
    for (const [key, channel] of this.channels) if (key.startsWith(`${interfaceName}|`) && channel.sourceAddress === source) return true;
    return false;
  }

  private onHostEvent(event: HostEvent): void {
    for (const { binding, router, actions } of this.running.values()) {
      if (event.type === 'link' && event.interfaceName === binding.interfaceName) {
        router.setFault(!event.up, `interface ${event.interfaceName} ${event.up ? 'up' : 'down'}`);
      }
      if (event.type === 'address-removed' && router.state === 'Master') {
        const spec = binding.addresses.find((a) => a.address === event.address && a.device === event.interfaceName);
        if (spec && actions.installed.has(spec.address)) actions.reinstall(spec);
      }
    }
  }

  /** Shutdown as keepalived does on SIGTERM: Masters send priority 0, addresses are removed. */
  async stop(): Promise<void> {
    this.stopWatching?.();
    if (this.summaryTimer) clearInterval(this.summaryTimer);
    for (const { router } of this.running.values()) router.shutdown();
    await Promise.all([...this.running.values()].map(({ actions }) => actions.settled()));
    for (const channel of this.channels.values()) channel.close();
    this.channels.clear();
    this.rejections.flush();
  }
}
