// The daemon's start played for the daemon bundle's warm-up (warmUp in daemon-bundle.ts): V8's code
// cache holds the functions the warm-up ran, and a function the start runs that the cache lacks is
// parsed and compiled before the first advertisement. The protocol core alone (`simulate`) left out
// the daemon's own wiring (the subsystems, the routers and their bindings, the host actions, the
// supervisor, the operations) and the Linux layer's reads: ~9 ms of CPU before an owner's first
// advertisement against a cache made by a real start (issue 16). Nothing here changes the host:
// the interfaces' state and the dumps are read from the kernel as a start reads them (rtnetlink,
// which any user may read); adds, removals, VRRP sockets and announcements are this module's own,
// which do nothing, on a virtual clock.
import type { VrrpdConfig } from '../config/model.js';
import { VirtualClock } from '../core/virtual-clock.js';
import type { Logger } from '../core/log.js';
import { Daemon } from '../daemon/daemon.js';
import { Operations } from '../daemon/operations/operations.js';
import type { AnnouncePort, ChannelOptions, HostEvent, InterfaceState, OpenChannel, Platform, ReceivedPacket, VirtualAddressSpec } from '../daemon/vrrp/ports.js';
import type { NativeVrrp4Socket } from '../linux/native.js';
import { Ipv4VrrpSocket } from '../linux/sockets/ipv4-vrrp-socket.js';
import { Announcer } from '../linux/announce/announcer.js';
import { AnnouncePacer } from '../linux/announce/pacer.js';
import { missingOwnCapabilities } from '../linux/capabilities.js';
import { nativeShims } from '../linux/native.js';
import { Rtnetlink } from '../linux/netlink/rtnetlink.js';
import { LinuxPlatform } from '../linux/platform.js';
import { RealClock } from '../linux/real-clock.js';
import { SystemdNotifier } from '../linux/sd-notify.js';
import { hostSubsystems } from './subsystems.js';

/** `config` started as `vrrpd run` starts it, its Masters' and Backups' first seconds run, then stopped. */
export async function warmUpDaemon(config: VrrpdConfig, log: Logger): Promise<void> {
  missingOwnCapabilities();
  SystemdNotifier.fromEnvironment(log, {});
  // The native shim, which a start loads for its heap flags (a build without it warms the rest).
  try {
    nativeShims();
  } catch {
    // npm run build:native has not run: the start reports it.
  }
  const realClock = new RealClock();
  realClock.setTimer(0, () => undefined).cancel();
  // What a start's removal of stale addresses, routes and rules reads (its removals are not run).
  const netlink = Rtnetlink.open();
  try {
    await Promise.all([netlink.links(), netlink.addresses(), netlink.ruleEntries(), netlink.routeEntries()]);
  } finally {
    netlink.close();
  }
  const platform = new WarmUpPlatform(new LinuxPlatform(log), log);
  const clock = new VirtualClock();
  const subsystems = hostSubsystems(platform, clock, log);
  const daemon = new Daemon(subsystems.factories, log);
  if (daemon.nothingToRun(config)) return;
  const operations = new Operations({ daemon, log, file: 'warm-up', load: async () => ({ config, issues: [], files: [] }) });
  await operations.start();
  await daemon.start(config);
  // Past a Backup's Master_Down_Interval: every instance has become Master and advertised.
  for (let ms = 0; ms < 5000; ms += 100) {
    clock.advanceBy(100);
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  daemon.status();
  await daemon.stop();
  await operations.close();
  subsystems.close();
}

/**
 * This host's interfaces as LinuxPlatform reads them; an interface it lacks, or one without the
 * address an instance sends from, made up (up, with an IPv4 and an IPv6 link-local address), so
 * that every instance starts. What would change the host does nothing.
 */
class WarmUpPlatform implements Platform {
  /**
   * prepare is LinuxPlatform's: it builds the adds and runs an add once with interface index 0,
   * which the kernel refuses before looking at anything else (platform.ts).
   */
  readonly addresses = { add: nothing, addNow: () => true, remove: nothing, prepare: async (spec: VirtualAddressSpec) => this.linux.addresses.prepare?.(spec) };
  readonly routes = { addRoute: nothing, removeRoute: nothing, addRule: nothing, removeRule: nothing };
  private readonly madeUp = new Map<string, InterfaceState>();

  constructor(
    private readonly linux: LinuxPlatform,
    private readonly log: Logger,
  ) {}

  async interfaceState(name: string): Promise<InterfaceState> {
    const read = await this.linux.interfaceState(name).catch(() => undefined);
    if (read?.up && read.ipv4 !== undefined) return read;
    let state = this.madeUp.get(name);
    if (!state) {
      const index = this.madeUp.size + 1;
      state = { name, index, up: true, mac: `02:00:00:00:00:${index.toString(16).padStart(2, '0')}`, ipv4: `192.0.2.${index}`, ipv6LinkLocal: `fe80::${index}` };
      this.madeUp.set(name, state);
    }
    return state;
  }

  /** IPv4: the daemon's socket over a native one that sends nothing (the shim's needs CAP_NET_RAW). */
  async openChannel(options: ChannelOptions, onPacket: (packet: ReceivedPacket) => void): Promise<OpenChannel> {
    const state = await this.interfaceState(options.interfaceName);
    const source = options.sourceAddress ?? (options.family === 'ipv4' ? state.ipv4 : state.ipv6LinkLocal) ?? '';
    if (options.family === 'ipv6') return { sourceAddress: source, send: () => undefined, close: () => undefined };
    const onError = (): void => undefined;
    return Ipv4VrrpSocket.open({ interfaceName: options.interfaceName, interfaceIndex: state.index, sourceAddress: source, groups: options.groups }, onPacket, onError, () => SilentVrrp4Socket);
  }

  /** The daemon's announcer, without its packet socket: it prepares (builds the frames); it announces nothing. */
  async announcer(interfaceName: string): Promise<AnnouncePort> {
    const { index, mac } = await this.interfaceState(interfaceName);
    const pacers = { arp: new AnnouncePacer(0), na: new AnnouncePacer(0) };
    const announcer = new Announcer({ interfaceName, interfaceIndex: index, mac, forwardsIpv6: () => false }, () => pacers, this.log, undefined, () => undefined);
    return { announce: () => undefined, prepare: (addresses) => announcer.prepare(addresses) };
  }

  async removeStaleAddresses(): Promise<string[]> {
    return [];
  }

  async removeStaleRoutes(): Promise<string[]> {
    return [];
  }

  watch(onEvent: (event: HostEvent) => void): () => void {
    return this.linux.watch(onEvent);
  }

  configureAnnouncements(): void {}

  holdHostReads(): () => void {
    return this.linux.holdHostReads();
  }

  close(): void {
    this.linux.close();
  }
}

async function nothing(): Promise<void> {}

/** A native VRRP socket that sends nothing and hears nothing. */
class SilentVrrp4Socket implements NativeVrrp4Socket {
  send(payload: Uint8Array): number {
    return payload.length;
  }

  armResignation(): number {
    return -1;
  }

  close(): void {}
}
