// From the validated model to what the daemon runs: one binding per instance with the protocol
// core's settings, the interface, where advertisements go and which addresses to install.
import type { VirtualAddressSpec } from '../daemon/ports.js';
import type { VmacSpec } from '../linux/vmac.js';
import type { DaemonInstance } from '../daemon/daemon.js';
import type { VirtualRouterConfig } from '../protocol/config.js';
import type { VirtualAddressConfig, VrrpdConfig, VrrpInstanceConfig } from './model.js';

export function daemonInstances(config: VrrpdConfig): DaemonInstance[] {
  return config.instances.map((instance) => {
    const multicastGroup = instance.family === 'ipv4' ? config.global.mcastGroup4 : config.global.mcastGroup6;
    const unicast = instance.unicastPeers.length > 0;
    const source = unicast ? instance.unicastSourceIp : instance.multicastSourceIp;
    return {
      router: routerConfig(instance),
      // keepalived use_vmac: adverts, gratuitous ARP and VIPs go through the VMAC.
      interfaceName: instanceInterface(instance),
      destinations: unicast ? instance.unicastPeers.map((peer) => peer.address) : [multicastGroup],
      addresses: [...instance.virtualAddresses, ...instance.excludedAddresses].map((address) => addressSpec(address, instance)),
      ...(instance.virtualRoutes?.length ? { routes: instance.virtualRoutes } : {}),
      ...(instance.virtualRules?.length ? { rules: instance.virtualRules } : {}),
      multicastGroup,
      ...(source !== undefined ? { unicastSource: source } : {}),
      ...(instance.dontTrackPrimary ? { dontTrackPrimary: true } : {}),
    };
  });
}

/** keepalived's name for a VMAC without one: vrrp.<VRID>. */
export function defaultVmacName(vrid: number): string {
  return `vrrp.${vrid}`;
}

/** The interface an instance runs on: its VMAC with use_vmac, else its interface. */
export function instanceInterface(instance: VrrpInstanceConfig): string {
  return instance.useVmac ? (instance.useVmac.name ?? defaultVmacName(instance.virtualRouterId)) : instance.interface;
}

/** The VMACs to create before the daemon starts, one per name. */
export function vmacSpecs(config: VrrpdConfig): VmacSpec[] {
  const specs = new Map<string, VmacSpec>();
  for (const instance of config.instances) {
    if (!instance.useVmac) continue;
    const name = instanceInterface(instance);
    if (!specs.has(name)) specs.set(name, { name, parent: instance.interface, vrid: instance.virtualRouterId, family: instance.family });
  }
  return [...specs.values()];
}

/**
 * Gratuitous ARP / NA pacing for the platform (src/linux/announce/pacer.ts): the least time
 * between two gratuitous ARPs, or two unsolicited NAs, on an interface.
 */
export interface AnnouncePacing {
  /** vrrp_garp_interval / vrrp_gna_interval: interfaces not named below. */
  readonly arpIntervalMs: number;
  readonly naIntervalMs: number;
  /** Per interface; interfaces with the same `group` share one pace (garp_group `interfaces`). */
  readonly perInterface: ReadonlyMap<string, { readonly arpIntervalMs: number; readonly naIntervalMs: number; readonly group?: string }>;
}

/**
 * keepalived's pacing: an instance's garp_interval / gna_interval (which default to
 * vrrp_garp_interval / vrrp_gna_interval) apply to its interface - with several instances on one
 * interface the largest wins, so none is sent faster than asked - and a garp_group's settings to
 * its interfaces, which with `interfaces` share one pace.
 */
export function announcePacing(config: VrrpdConfig): AnnouncePacing {
  const perInterface = new Map<string, { arpIntervalMs: number; naIntervalMs: number; group?: string }>();
  for (const instance of config.instances) {
    const name = instanceInterface(instance);
    const known = perInterface.get(name);
    perInterface.set(name, {
      arpIntervalMs: Math.max(known?.arpIntervalMs ?? 0, instance.garp.arpIntervalMs),
      naIntervalMs: Math.max(known?.naIntervalMs ?? 0, instance.garp.naIntervalMs),
    });
  }
  (config.garpGroups ?? []).forEach((group, index) => {
    const { garp } = config.global;
    const timing = { arpIntervalMs: group.arpIntervalMs ?? garp.arpIntervalMs, naIntervalMs: group.naIntervalMs ?? garp.naIntervalMs };
    const shared = group.interfaces.length > 1 ? { group: String(index) } : {};
    for (const name of group.interfaces) perInterface.set(name, { ...timing, ...shared });
  });
  return { arpIntervalMs: config.global.garp.arpIntervalMs, naIntervalMs: config.global.garp.naIntervalMs, perInterface };
}

export function routerConfig(instance: VrrpInstanceConfig): VirtualRouterConfig {
  return {
    name: instance.name,
    vrid: instance.virtualRouterId,
    version: instance.version,
    family: instance.family,
    priority: instance.priority,
    advertIntervalMs: instance.advertIntervalMs,
    preempt: instance.preempt,
    preemptDelayMs: instance.preemptDelayMs,
    initialState: instance.initialState,
    virtualAddresses: instance.virtualAddresses.map((address) => address.address),
    unicastPeers: instance.unicastPeers.map((peer) => peer.address),
    // RFC 5798 removed authentication; keepalived ignores it for v3 (validation warns).
    ...(instance.authentication && instance.version === 2 ? { authentication: { password: instance.authentication.password } } : {}),
    lowerPrioNoAdvert: instance.lowerPrioNoAdvert,
    higherPrioSendAdvert: instance.higherPrioSendAdvert,
    v2Interop: instance.v2Interop,
    checksumFlavour: instance.v3ChecksumWithPseudoHeader ? 'pseudo-header' : 'message-only',
    announcements: {
      masterRepeat: instance.garp.masterRepeat,
      masterDelayMs: instance.garp.masterDelayMs,
      masterRefreshMs: instance.garp.masterRefreshMs,
      masterRefreshRepeat: instance.garp.masterRefreshRepeat,
    },
  };
}

function addressSpec(address: VirtualAddressConfig, instance: VrrpInstanceConfig): VirtualAddressSpec {
  return {
    address: address.address,
    prefixLength: address.prefixLength,
    family: address.family,
    device: address.device ?? instanceInterface(instance),
    ...(address.label !== undefined ? { label: address.label } : {}),
    ...(address.scope !== undefined ? { scope: address.scope } : {}),
    ...(address.broadcast !== undefined ? { broadcast: address.broadcast } : {}),
    ...(address.noTrack ? { noTrack: true } : {}),
  };
}
