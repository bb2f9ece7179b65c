// OpenShift's ipfailover image is configured by OPENSHIFT_HA_* environment variables; this reads
// the same variables with the same defaults (see the image's conf/settings.sh), and gives every
// bad value an error naming its variable instead of silently falling back.
import { canonicalAddress } from '../core/address.js';
import { familyOf } from '../config/addresses.js';

export interface IpFailoverSettings {
  /** OPENSHIFT_HA_CONFIG_NAME, default OpenShift-IPFailover: names instances, the check script and the router id. */
  readonly configName: string;
  /** OPENSHIFT_HA_VIRTUAL_IPS, ranges expanded, in order. */
  readonly virtualIps: readonly string[];
  /** OPENSHIFT_HA_VIP_GROUPS: how many instances share the VIPs; 0 = one instance per VIP. */
  readonly vipGroups: number;
  /** OPENSHIFT_HA_NETWORK_INTERFACE; unset: the interface of the default route. */
  readonly networkInterface?: string;
  /** OPENSHIFT_HA_MONITOR_PORT, default 80; 0 disables the TCP check. */
  readonly monitorPort: number;
  /** OPENSHIFT_HA_REPLICA_COUNT, default 1. */
  readonly replicaCount: number;
  /** OPENSHIFT_HA_VRRP_ID_OFFSET, default 0: VRIDs are offset + 1, offset + 2, ... */
  readonly vrrpIdOffset: number;
  /** OPENSHIFT_HA_EXCLUDED_VRRP_IDS (or HA_EXCLUDED_VRRP_IDS): VRIDs to skip. */
  readonly excludedVrrpIds: readonly number[];
  /** OPENSHIFT_HA_CHECK_SCRIPT: replaces the TCP check. */
  readonly checkScript?: string;
  /** OPENSHIFT_HA_CHECK_INTERVAL (s), default 2. */
  readonly checkIntervalSeconds: number;
  /** OPENSHIFT_HA_NOTIFY_SCRIPT: keepalived's `notify` (type, name, state appended). */
  readonly notifyScript?: string;
  /** OPENSHIFT_HA_PREEMPTION, default `preempt_delay 300`; or `nopreempt`. */
  readonly preemption: { readonly preempt: true; readonly delaySeconds: number } | { readonly preempt: false };
  /** OPENSHIFT_HA_UNICAST_PEERS: comma-separated; empty means multicast. */
  readonly unicastPeers: readonly string[];
  /** OPENSHIFT_HA_NFTABLES_RULE or (deprecated) OPENSHIFT_HA_IPTABLES_CHAIN set: the image adds an nftables accept rule. */
  readonly multicastAcceptRule: boolean;
  /** MULTICAST_SOURCE_IPADDRESS / UNICAST_SOURCE_IPADDRESS (not exposed by OpenShift, honoured by the image). */
  readonly multicastSource?: string;
  readonly unicastSource?: string;
}

export class IpFailoverSettingsError extends Error {
  override readonly name = 'IpFailoverSettingsError';

  constructor(readonly problems: readonly string[]) {
    super(problems.join('\n'));
  }
}

type Env = Readonly<Record<string, string | undefined>>;

export function settingsFromEnv(env: Env): IpFailoverSettings {
  const problems: string[] = [];
  const get = (name: string): string | undefined => {
    const value = env[name]?.trim();
    return value === undefined || value === '' ? undefined : value;
  };
  const integer = (name: string, fallback: number, min: number, max: number, what: string): number => {
    const text = get(name);
    if (text === undefined) return fallback;
    if (!/^\d+$/.test(text) || Number(text) < min || Number(text) > max) {
      problems.push(`${name}: "${text}" is not valid: expected ${what}`);
      return fallback;
    }
    return Number(text);
  };

  const vipsText = get('OPENSHIFT_HA_VIRTUAL_IPS');
  let virtualIps: string[] = [];
  if (vipsText === undefined) problems.push('OPENSHIFT_HA_VIRTUAL_IPS is not set: list the virtual IPs to fail over, e.g. 192.0.2.4-6,192.0.2.9');
  else {
    try {
      virtualIps = expandIpRanges(vipsText);
    } catch (error) {
      problems.push(`OPENSHIFT_HA_VIRTUAL_IPS: ${(error as Error).message}`);
    }
  }

  const excludedText = get('OPENSHIFT_HA_EXCLUDED_VRRP_IDS') ?? get('HA_EXCLUDED_VRRP_IDS');
  const excludedName = get('OPENSHIFT_HA_EXCLUDED_VRRP_IDS') !== undefined ? 'OPENSHIFT_HA_EXCLUDED_VRRP_IDS' : 'HA_EXCLUDED_VRRP_IDS';
  const excludedVrrpIds: number[] = [];
  for (const word of excludedText?.split(/[\s,]+/).filter(Boolean) ?? []) {
    if (/^\d+$/.test(word) && Number(word) >= 1 && Number(word) <= 255) excludedVrrpIds.push(Number(word));
    else problems.push(`${excludedName}: "${word}" is not a VRID: expected whole numbers 1..255, separated by spaces or commas`);
  }

  const preemptionText = get('OPENSHIFT_HA_PREEMPTION') ?? 'preempt_delay 300';
  let preemption: IpFailoverSettings['preemption'] = { preempt: true, delaySeconds: 300 };
  const delay = /^preempt_delay\s+(\d+)$/.exec(preemptionText);
  if (preemptionText === 'nopreempt') preemption = { preempt: false };
  else if (delay && Number(delay[1]) <= 1000) preemption = { preempt: true, delaySeconds: Number(delay[1]) };
  else problems.push(`OPENSHIFT_HA_PREEMPTION: "${preemptionText}" is not valid: expected "nopreempt" or "preempt_delay N" (N seconds, 0..1000)`);

  const unicastPeers: string[] = [];
  for (const word of get('OPENSHIFT_HA_UNICAST_PEERS')?.split(',').map((peer) => peer.trim()).filter(Boolean) ?? []) {
    const family = familyOf(word);
    if (family) unicastPeers.push(canonicalAddress(family, word) ?? word);
    else problems.push(`OPENSHIFT_HA_UNICAST_PEERS: "${word}" is not an IPv4 or IPv6 address`);
  }

  const source = (name: string): string | undefined => {
    const text = get(name);
    if (text === undefined) return undefined;
    const family = familyOf(text);
    if (family) return canonicalAddress(family, text) ?? text;
    problems.push(`${name}: "${text}" is not an IPv4 or IPv6 address`);
    return undefined;
  };

  const interfaceName = get('OPENSHIFT_HA_NETWORK_INTERFACE');
  if (interfaceName !== undefined && !/^[^\s/:]{1,15}$/.test(interfaceName)) {
    problems.push(`OPENSHIFT_HA_NETWORK_INTERFACE: "${interfaceName}" is not an interface name (1..15 characters without "/", ":" or spaces)`);
  }

  const settings: IpFailoverSettings = {
    configName: get('OPENSHIFT_HA_CONFIG_NAME') ?? 'OpenShift-IPFailover',
    virtualIps,
    vipGroups: integer('OPENSHIFT_HA_VIP_GROUPS', 0, 0, 255, 'a whole number of groups, 0..255'),
    ...(interfaceName !== undefined ? { networkInterface: interfaceName } : {}),
    monitorPort: integer('OPENSHIFT_HA_MONITOR_PORT', 80, 0, 65_535, 'a TCP port 1..65535, or 0 to disable the check'),
    replicaCount: integer('OPENSHIFT_HA_REPLICA_COUNT', 1, 1, 255, 'a whole number of replicas, 1..255'),
    vrrpIdOffset: integer('OPENSHIFT_HA_VRRP_ID_OFFSET', 0, 0, 254, 'a whole number 0..254'),
    excludedVrrpIds,
    ...(get('OPENSHIFT_HA_CHECK_SCRIPT') !== undefined ? { checkScript: get('OPENSHIFT_HA_CHECK_SCRIPT')! } : {}),
    checkIntervalSeconds: integer('OPENSHIFT_HA_CHECK_INTERVAL', 2, 1, 86_400, 'whole seconds 1..86400'),
    ...(get('OPENSHIFT_HA_NOTIFY_SCRIPT') !== undefined ? { notifyScript: get('OPENSHIFT_HA_NOTIFY_SCRIPT')! } : {}),
    preemption,
    unicastPeers,
    multicastAcceptRule: get('OPENSHIFT_HA_NFTABLES_RULE') !== undefined || get('OPENSHIFT_HA_IPTABLES_CHAIN') !== undefined,
  };
  const multicastSource = source('MULTICAST_SOURCE_IPADDRESS');
  const unicastSource = source('UNICAST_SOURCE_IPADDRESS');
  if (problems.length > 0) throw new IpFailoverSettingsError(problems);
  return {
    ...settings,
    ...(multicastSource !== undefined ? { multicastSource } : {}),
    ...(unicastSource !== undefined ? { unicastSource } : {}),
  };
}

/**
 * `192.0.2.4-6,192.0.2.9 2001:db8::a-c`: comma- or space-separated addresses and ranges. An IPv4
 * range varies the last octet; an IPv6 range the last group, in hexadecimal.
 */
export function expandIpRanges(text: string): string[] {
  const result: string[] = [];
  for (const item of text.split(/[\s,]+/).filter(Boolean)) {
    const [first = '', end, extra] = item.split('-');
    if (extra !== undefined) throw new Error(`"${item}" is not an address or range: more than one "-"`);
    const family = familyOf(first);
    if (!family) throw new Error(`"${first}" is not an IPv4 or IPv6 address`);
    if (end === undefined) {
      result.push(canonicalAddress(family, first) ?? first);
      continue;
    }
    if (family === 'ipv4') {
      const octets = first.split('.');
      const start = Number(octets[3]);
      if (!/^\d{1,3}$/.test(end) || Number(end) > 255) throw new Error(`"${item}": the range end "${end}" is not an octet 0..255`);
      if (Number(end) < start) throw new Error(`"${item}": the range ends before it starts`);
      for (let n = start; n <= Number(end); n++) result.push([...octets.slice(0, 3), String(n)].join('.'));
    } else {
      const cut = first.lastIndexOf(':');
      const base = first.slice(0, cut + 1);
      const startText = first.slice(cut + 1);
      if (!/^[0-9a-fA-F]{1,4}$/.test(startText)) throw new Error(`"${item}": an IPv6 range needs the last group written out, e.g. 2001:db8::a-f`);
      if (!/^[0-9a-fA-F]{1,4}$/.test(end)) throw new Error(`"${item}": the range end "${end}" is not a hexadecimal group 0..ffff`);
      const start = parseInt(startText, 16);
      const last = parseInt(end, 16);
      if (last < start) throw new Error(`"${item}": the range ends before it starts`);
      for (let n = start; n <= last; n++) result.push(canonicalAddress('ipv6', `${base}${n.toString(16)}`) ?? `${base}${n.toString(16)}`);
    }
  }
  if (result.length === 0) throw new Error('no addresses');
  return result;
}
