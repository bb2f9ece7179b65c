// Complete, valid model objects for tests to change one field at a time. Documentation addresses only.
import { DEFAULTS } from '../../src/config/defaults.js';
import type {
  BfdInstanceConfig,
  SyncGroupConfig,
  TrackFileConfig,
  TrackProcessConfig,
  TrackScriptConfig,
  VirtualAddressConfig,
  VrrpdConfig,
  VrrpInstanceConfig,
} from '../../src/config/model.js';

export function vip(address: string, prefixLength: number, overrides: Partial<VirtualAddressConfig> = {}): VirtualAddressConfig {
  return { address, prefixLength, family: address.includes(':') ? 'ipv6' : 'ipv4', ...overrides };
}

export function instance(overrides: Partial<VrrpInstanceConfig> = {}): VrrpInstanceConfig {
  return {
    name: 'VI_1',
    interface: 'eth0',
    virtualRouterId: 51,
    version: 3,
    family: 'ipv4',
    ...DEFAULTS.instance,
    unicastPeers: [],
    virtualAddresses: [vip('192.0.2.100', 24)],
    excludedAddresses: [],
    trackInterfaces: [],
    trackScripts: [],
    trackFiles: [],
    trackProcesses: [],
    trackBfd: [],
    garp: DEFAULTS.garp,
    notify: {},
    ...overrides,
  };
}

export function script(overrides: Partial<TrackScriptConfig> = {}): TrackScriptConfig {
  return { name: 'chk', script: '/bin/true', ...DEFAULTS.script, timeoutMs: DEFAULTS.script.intervalMs, ...overrides };
}

export function trackFile(overrides: Partial<TrackFileConfig> = {}): TrackFileConfig {
  return { name: 'file', path: '/run/vrrpd/weight', ...DEFAULTS.trackFile, ...overrides };
}

export function trackProcess(overrides: Partial<TrackProcessConfig> = {}): TrackProcessConfig {
  return { name: 'proc', process: 'haproxy', ...DEFAULTS.trackProcess, ...overrides };
}

export function syncGroup(overrides: Partial<SyncGroupConfig> = {}): SyncGroupConfig {
  return { name: 'G1', members: ['VI_1'], trackScripts: [], trackInterfaces: [], trackFiles: [], trackProcesses: [], trackBfd: [], notify: {}, ...DEFAULTS.syncGroup, ...overrides };
}

export function config(overrides: Partial<VrrpdConfig> = {}): VrrpdConfig {
  return { global: DEFAULTS.global, instances: [instance()], scripts: [], trackFiles: [], trackProcesses: [], syncGroups: [], ...overrides };
}

/** A bfd_instance with keepalived's defaults (min_rx / min_tx 10 ms, idle_tx 1 s, multiplier 5, TTL 255). */
export function bfdInstance(overrides: Partial<BfdInstanceConfig> = {}): BfdInstanceConfig {
  return {
    name: 'upstream',
    neighborIp: '192.0.2.254',
    family: 'ipv4',
    minRxMs: 10,
    minTxMs: 10,
    idleTxMs: 1000,
    multiplier: 5,
    passive: false,
    ttl: 255,
    maxHops: 0,
    multihop: false,
    weight: 0,
    reverse: false,
    notifies: { vrrp: true, checker: true },
    ...overrides,
  };
}
