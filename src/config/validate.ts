// Checks a configuration model for what keepalived would refuse and what would misbehave on the
// wire. Every message names the field, the bad value and what is allowed.
import { canonicalAddress, type AddressFamily } from '../packet/address.js';
import type { ConfigIssue } from './issues.js';
import type { TrackedScriptRefConfig, VirtualAddressConfig, VrrpdConfig, VrrpInstanceConfig } from './model.js';

/** keepalived's bounds on tracking weights. */
export const MAX_WEIGHT = 253;
/** RFC 5798 §5.2.7: 12 bits of centiseconds. */
export const MAX_V3_INTERVAL_MS = 40_950;
/** RFC 3768 §5.3.7: 8 bits of seconds. */
export const MAX_V2_INTERVAL_MS = 255_000;
/** keepalived: preempt_delay 0..1000 s. */
export const MAX_PREEMPT_DELAY_MS = 1_000_000;
/** RFC 3768 §5.3.10: 8 octets of password. */
export const MAX_PASSWORD_LENGTH = 8;

export function familyOf(address: string): AddressFamily | undefined {
  if (canonicalAddress('ipv4', address)) return 'ipv4';
  if (canonicalAddress('ipv6', address)) return 'ipv6';
  return undefined;
}

export type ParsedPrefix = { readonly address: string; readonly prefixLength: number; readonly family: AddressFamily };

/** `203.0.113.10/24` (prefix optional: /32 or /128) into its canonical parts, or why not. */
export function parseAddressWithPrefix(text: string): ParsedPrefix | { readonly error: string } {
  const [address = '', prefix, extra] = text.split('/');
  if (extra !== undefined) return { error: `"${text}" is not an address: more than one "/"` };
  const family = familyOf(address);
  if (!family) return { error: `"${address}" is not an IPv4 or IPv6 address` };
  const max = family === 'ipv4' ? 32 : 128;
  const prefixLength = prefix === undefined ? max : Number(prefix);
  if (prefix !== undefined && (!/^\d+$/.test(prefix) || prefixLength > max)) {
    return { error: `prefix length "${prefix}" of ${address} must be 0..${max}` };
  }
  return { address: canonicalAddress(family, address) ?? address, prefixLength, family };
}

export function validateConfig(config: VrrpdConfig): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const error = (path: string, message: string): void => void issues.push({ severity: 'error', path, message });
  const warning = (path: string, message: string): void => void issues.push({ severity: 'warning', path, message });

  if (familyOf(config.global.mcastGroup4) !== 'ipv4') error('global.mcastGroup4', `vrrp_mcast_group4 ${config.global.mcastGroup4} is not an IPv4 address`);
  if (familyOf(config.global.mcastGroup6) !== 'ipv6') error('global.mcastGroup6', `vrrp_mcast_group6 ${config.global.mcastGroup6} is not an IPv6 address`);

  const scriptNames = new Set(config.scripts.map((script) => script.name));
  const seenNames = new Map<string, VrrpInstanceConfig>();
  const seenVrids = new Map<string, VrrpInstanceConfig>();
  for (const instance of config.instances) {
    const at = `instances[${instance.name}]`;
    if (seenNames.has(instance.name)) error(at, `vrrp_instance ${instance.name} is defined twice`);
    seenNames.set(instance.name, instance);
    validateInstance(instance, at, scriptNames, error, warning);
    // RFC 5798 §5.2.3: a VRID identifies one virtual router per LAN and family.
    const key = `${instance.interface}|${instance.family}|${instance.virtualRouterId}`;
    const other = seenVrids.get(key);
    if (other && other !== instance) {
      error(
        `${at}.virtualRouterId`,
        `virtual_router_id ${instance.virtualRouterId} is already used by ${other.name} on ${instance.interface} (${instance.family}); each virtual router on a link needs its own VRID`,
      );
    } else seenVrids.set(key, instance);
  }

  for (const script of config.scripts) {
    const at = `scripts[${script.name}]`;
    if (script.intervalMs <= 0) error(`${at}.intervalMs`, `interval ${script.intervalMs / 1000} s must be positive`);
    if (script.timeoutMs <= 0) error(`${at}.timeoutMs`, `timeout ${script.timeoutMs / 1000} s must be positive`);
    if (script.rise < 1) error(`${at}.rise`, `rise ${script.rise} must be at least 1`);
    if (script.fall < 1) error(`${at}.fall`, `fall ${script.fall} must be at least 1`);
    checkWeight(script.weight, `${at}.weight`, error);
    if (script.script.trim() === '') error(`${at}.script`, `vrrp_script ${script.name} has no script to run`);
  }

  const groupOf = new Map<string, string>();
  for (const group of config.syncGroups) {
    const at = `syncGroups[${group.name}]`;
    group.members.forEach((member, index) => {
      if (!seenNames.has(member)) error(`${at}.members[${index}]`, `vrrp_sync_group ${group.name} names ${member}, which is not a vrrp_instance`);
      const previous = groupOf.get(member);
      if (previous) error(`${at}.members[${index}]`, `${member} is already in vrrp_sync_group ${previous}; an instance can be in one group only`);
      groupOf.set(member, group.name);
    });
    checkScriptRefs(group.trackScripts, `${at}.trackScripts`, scriptNames, error);
  }
  return issues;
}

type Report = (path: string, message: string) => void;

function validateInstance(instance: VrrpInstanceConfig, at: string, scriptNames: ReadonlySet<string>, error: Report, warning: Report): void {
  if (!Number.isInteger(instance.virtualRouterId) || instance.virtualRouterId < 1 || instance.virtualRouterId > 255) {
    error(`${at}.virtualRouterId`, `virtual_router_id ${instance.virtualRouterId} is out of range: must be 1..255`);
  }
  if (!Number.isInteger(instance.priority) || instance.priority < 1 || instance.priority > 255) {
    error(`${at}.priority`, `priority ${instance.priority} is out of range: must be 1..255 (255 = address owner)`);
  }
  if (instance.version === 2) {
    if (instance.family === 'ipv6') error(`${at}.version`, 'VRRPv2 is IPv4 only (RFC 3768); use version 3 for IPv6 addresses');
    if (instance.advertIntervalMs % 1000 !== 0 || instance.advertIntervalMs < 1000 || instance.advertIntervalMs > MAX_V2_INTERVAL_MS) {
      error(`${at}.advertIntervalMs`, `advert_int ${instance.advertIntervalMs / 1000} is not valid for VRRPv2: whole seconds 1..255`);
    }
  } else if (instance.advertIntervalMs % 10 !== 0 || instance.advertIntervalMs < 10 || instance.advertIntervalMs > MAX_V3_INTERVAL_MS) {
    error(`${at}.advertIntervalMs`, `advert_int ${instance.advertIntervalMs / 1000} is not valid for VRRPv3: 0.01..40.95 seconds in steps of 0.01`);
  }
  if (instance.preemptDelayMs < 0 || instance.preemptDelayMs > MAX_PREEMPT_DELAY_MS) {
    error(`${at}.preemptDelayMs`, `preempt_delay ${instance.preemptDelayMs / 1000} is out of range: must be 0..1000 seconds`);
  }
  if (instance.initialState === 'MASTER' && instance.priority < 255 && (!instance.preempt || instance.preemptDelayMs > 0)) {
    warning(`${at}.initialState`, 'state MASTER disables nopreempt and preempt_delay (as in keepalived): set state BACKUP for them to work');
  }
  if (instance.authentication) {
    if (instance.version === 3) warning(`${at}.authentication`, 'authentication is ignored with VRRPv3 (RFC 5798 removed it)');
    if (instance.authentication.password.length > MAX_PASSWORD_LENGTH) {
      warning(`${at}.authentication.password`, `auth_pass is longer than ${MAX_PASSWORD_LENGTH} characters; only "${instance.authentication.password.slice(0, MAX_PASSWORD_LENGTH)}" is used`);
    }
  }
  if (instance.virtualAddresses.length === 0) warning(`${at}.virtualAddresses`, `vrrp_instance ${instance.name} has no virtual_ipaddress`);
  checkAddresses(instance.virtualAddresses, `${at}.virtualAddresses`, instance.family, error);
  if (instance.virtualAddresses.length > 255) error(`${at}.virtualAddresses`, `${instance.virtualAddresses.length} virtual addresses: an advertisement carries at most 255`);
  instance.unicastPeers.forEach((peer, index) => {
    const family = familyOf(peer.address);
    if (family !== instance.family) {
      error(`${at}.unicastPeers[${index}]`, `unicast_peer ${peer.address} is ${family ? `an ${family} address` : 'not an address'}, the instance is ${instance.family}`);
    }
  });
  for (const [field, value] of [['unicastSourceIp', instance.unicastSourceIp], ['multicastSourceIp', instance.multicastSourceIp]] as const) {
    if (value !== undefined && familyOf(value) !== instance.family) {
      error(`${at}.${field}`, `${field === 'unicastSourceIp' ? 'unicast_src_ip' : 'mcast_src_ip'} ${value} is not an ${instance.family} address`);
    }
  }
  checkScriptRefs(instance.trackScripts, `${at}.trackScripts`, scriptNames, error);
  instance.trackInterfaces.forEach((tracked, index) => checkWeight(tracked.weight, `${at}.trackInterfaces[${index}].weight`, error));
  const weighted = instance.trackScripts.some((s) => (s.weight ?? 0) !== 0) || instance.trackInterfaces.some((i) => i.weight !== 0);
  if (instance.priority === 255 && weighted) {
    warning(`${at}.priority`, 'an address owner (priority 255) ignores tracking weights; only weight-0 tracking (Fault) applies');
  }
}

function checkAddresses(addresses: readonly VirtualAddressConfig[], at: string, family: AddressFamily, error: Report): void {
  addresses.forEach((address, index) => {
    if (address.family !== family) {
      error(`${at}[${index}]`, `${address.address} is ${address.family}, the instance's addresses are ${family}: use a separate vrrp_instance per family`);
    }
    const max = address.family === 'ipv4' ? 32 : 128;
    if (address.prefixLength < 0 || address.prefixLength > max) error(`${at}[${index}]`, `prefix length ${address.prefixLength} of ${address.address} must be 0..${max}`);
  });
}

function checkScriptRefs(refs: readonly TrackedScriptRefConfig[], at: string, scriptNames: ReadonlySet<string>, error: Report): void {
  refs.forEach((ref, index) => {
    if (!scriptNames.has(ref.name)) error(`${at}[${index}]`, `track_script ${ref.name} is not defined by any vrrp_script`);
    if (ref.weight !== undefined) checkWeight(ref.weight, `${at}[${index}].weight`, error);
  });
}

function checkWeight(weight: number, at: string, error: Report): void {
  if (!Number.isInteger(weight) || weight < -MAX_WEIGHT || weight > MAX_WEIGHT) {
    error(at, `weight ${weight} is out of range: must be -${MAX_WEIGHT}..${MAX_WEIGHT}`);
  }
}
