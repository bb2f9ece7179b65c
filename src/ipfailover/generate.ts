// The configuration OpenShift's ipfailover image generates (lib/config-generators.sh), as a model:
// VIPs split into VIP_GROUPS instances (the first `count % groups` get one more), VRIDs from
// VRRP_ID_OFFSET + 1 skipping excluded ones (a skip shifts every later VRID), and priorities that
// spread mastership over the replicas by the last octet of the node's address:
//   slot = octet % 128, index = slot % replicas + 1; instance n (1-based) is "master" when
//   n % index == 0, with priority 255 - slot, or slot + 1 when the previous one was master too
//   (flip-flop); the others get slot % 64 + a random 0..31 (the image uses $RANDOM).
// One check script (`chk_<name>`, a TCP connect to the node's address and the monitor port unless a
// check script replaces it; `true` when the port is 0) is tracked by every instance.
import { DEFAULTS } from '../config/defaults.js';
import type { VirtualAddressConfig, VrrpdConfig, VrrpInstanceConfig } from '../config/model.js';
import { familyOf } from '../config/addresses.js';
import type { IpFailoverSettings } from './settings.js';

export interface HostFacts {
  /** NETWORK_INTERFACE when it exists, else the interface of the default route. */
  readonly interfaceName: string;
  /** The interface's IPv4 address (the image reads it with ifconfig); slots are 0 without one. */
  readonly ipv4Address?: string;
}

export class IpFailoverConfigError extends Error {
  override readonly name = 'IpFailoverConfigError';
}

/** `scrub` in the image: keep letters, digits, - and _, then - becomes _. */
export function scrub(name: string): string {
  return name.replace(/[^A-Za-z0-9_-]/g, '').replace(/-/g, '_');
}

export function ipFailoverConfig(settings: IpFailoverSettings, host: HostFacts, random32: () => number): VrrpdConfig {
  const checkName = `chk_${settings.configName.replace(/-/g, '_')}`;
  const serviceIp = host.ipv4Address ?? '127.0.0.1';
  const script = settings.checkScript ?? (settings.monitorPort === 0 ? 'true' : `/bin/bash -c '</dev/tcp/${serviceIp}/${settings.monitorPort}'`);
  const intervalMs = settings.checkIntervalSeconds * 1000;

  const lastOctet = Number(host.ipv4Address?.split('.')[3] ?? 0);
  const slot = lastOctet % 128;
  const index = (slot % Math.max(1, settings.replicaCount)) + 1;

  const groups = splitIntoGroups(settings.virtualIps, settings.vipGroups);
  const instances: VrrpInstanceConfig[] = [];
  let offset = settings.vrrpIdOffset;
  let previous: 'none' | 'master' | 'flip-flop' = 'none';
  groups.forEach((vips, position) => {
    const counter = position + 1;
    while (settings.excludedVrrpIds.includes(offset + counter)) offset++;
    const vrid = offset + counter;
    if (vrid > 255) {
      throw new IpFailoverConfigError(
        `VRID ${vrid} for ${scrub(settings.configName)}_VIP_${counter} is out of range (OPENSHIFT_HA_VRRP_ID_OFFSET ${settings.vrrpIdOffset}, ${groups.length} instances, excluded ${settings.excludedVrrpIds.join(' ') || 'none'}): VRIDs are 1..255`,
      );
    }
    let priority = (slot % 64) + random32();
    let master = false;
    if (counter % index === 0) {
      master = true;
      if (previous === 'master') {
        priority = slot + 1;
        previous = 'flip-flop';
      } else {
        priority = 255 - slot;
        previous = 'master';
      }
    }
    instances.push(instance(settings, host, `${scrub(settings.configName)}_VIP_${counter}`, vrid, priority, master, vips, checkName));
  });

  return {
    global: { ...DEFAULTS.global, routerId: scrub(settings.configName) },
    instances,
    scripts: [{ name: checkName, script, ...DEFAULTS.script, intervalMs, timeoutMs: intervalMs }],
    trackFiles: [],
    trackProcesses: [],
    syncGroups: [],
  };
}

/** VIP_GROUPS 0 (or unset): one VIP per instance; else that many instances, the first ones one VIP larger. */
export function splitIntoGroups<T>(items: readonly T[], groupCount: number): T[][] {
  if (groupCount <= 0) return items.map((item) => [item]);
  const perGroup = Math.floor(items.length / groupCount);
  let extra = items.length % groupCount;
  const groups: T[][] = [];
  let at = 0;
  while (at < items.length) {
    let size = perGroup;
    if (extra > 0) {
      size++;
      extra--;
    }
    groups.push(items.slice(at, at + size));
    at += size;
  }
  return groups;
}

function instance(
  settings: IpFailoverSettings,
  host: HostFacts,
  name: string,
  vrid: number,
  priority: number,
  master: boolean,
  vips: readonly string[],
  checkName: string,
): VrrpInstanceConfig {
  const virtualAddresses: VirtualAddressConfig[] = vips.map((address) => {
    const family = familyOf(address) ?? 'ipv4';
    return { address, prefixLength: family === 'ipv4' ? 32 : 128, family, device: host.interfaceName };
  });
  const family = virtualAddresses[0]?.family ?? 'ipv4';
  return {
    name,
    interface: host.interfaceName,
    virtualRouterId: vrid,
    version: family === 'ipv6' ? 3 : DEFAULTS.global.vrrpVersion,
    family,
    ...DEFAULTS.instance,
    priority,
    initialState: master ? 'MASTER' : 'BACKUP',
    preempt: settings.preemption.preempt,
    preemptDelayMs: settings.preemption.preempt ? settings.preemption.delaySeconds * 1000 : 0,
    ...(settings.unicastSource !== undefined ? { unicastSourceIp: settings.unicastSource } : {}),
    ...(settings.multicastSource !== undefined ? { multicastSourceIp: settings.multicastSource } : {}),
    unicastPeers: settings.unicastPeers.map((address) => ({ address })),
    // The image authenticates with the configuration name (keepalived uses its first 8 characters).
    ...(family === 'ipv4' ? { authentication: { type: 'PASS' as const, password: settings.configName } } : {}),
    virtualAddresses,
    excludedAddresses: [],
    trackInterfaces: [],
    trackScripts: [{ name: checkName }],
    trackFiles: [],
    trackProcesses: [],
    trackBfd: [],
    garp: DEFAULTS.garp,
    notify: settings.notifyScript !== undefined ? { any: settings.notifyScript } : {},
  };
}
