// A virtual router's binding to this host (its protocol settings, interface, destinations,
// addresses and routes), and how the validated configuration model gives one per vrrp_instance.
import type { AnnouncePacing, VirtualAddressSpec, VirtualRouteSpec, VirtualRuleSpec, VmacSpec } from './ports.js';
import type { VirtualRouterConfig } from '../../vrrp/protocol/config.js';
import { defaultVmacName, type GlobalDefs, type VirtualAddressConfig, type VrrpdConfig, type VrrpInstanceConfig } from '../../config/model.js';

/** What one virtual router needs on this host: its protocol settings and where it runs. */
export interface RouterBinding {
  /** The vrrp_instance it runs and the global_defs it inherits from: what a reload compares (reload-plan.ts). */
  readonly instance: VrrpInstanceConfig;
  readonly global: GlobalDefs;
  readonly router: VirtualRouterConfig;
  readonly interfaceName: string;
  /** Where advertisements go: the multicast group, or each unicast peer. */
  readonly destinations: readonly string[];
  /** Everything installed on becoming Master: virtual_ipaddress and virtual_ipaddress_excluded. */
  readonly addresses: readonly VirtualAddressSpec[];
  /** keepalived virtual_routes: installed after the addresses on becoming Master. */
  readonly routes?: readonly VirtualRouteSpec[];
  /** keepalived virtual_rules: installed after the routes. */
  readonly rules?: readonly VirtualRuleSpec[];
  /** keepalived unicast_src_ip. */
  readonly unicastSource?: string;
  /** The multicast group (keepalived vrrp_mcast_group4/6); unused with unicast peers. */
  readonly multicastGroup?: string;
  /** keepalived dont_track_primary: the instance's own link going down is not a Fault. */
  readonly dontTrackPrimary?: boolean;
}

export function routerBindings(config: VrrpdConfig): RouterBinding[] {
  return config.instances.map((instance) => {
    const multicastGroup = instance.family === 'ipv4' ? config.global.mcastGroup4 : config.global.mcastGroup6;
    const unicast = instance.unicastPeers.length > 0;
    const source = unicast ? instance.unicastSourceIp : instance.multicastSourceIp;
    return {
      instance,
      global: config.global,
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
