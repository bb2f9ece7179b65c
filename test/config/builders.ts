// Complete, valid model objects for tests to modify one field at a time.
import { DEFAULT_GARP, DEFAULT_GLOBAL, type VrrpdConfig, type VrrpInstanceConfig } from '../../src/config/model.js';

export function instance(overrides: Partial<VrrpInstanceConfig> = {}): VrrpInstanceConfig {
  return {
    name: 'VI_1',
    interface: 'eth0',
    virtualRouterId: 51,
    version: 3,
    family: 'ipv4',
    priority: 100,
    advertIntervalMs: 1000,
    initialState: 'BACKUP',
    preempt: true,
    preemptDelayMs: 0,
    acceptMode: true,
    unicastPeers: [],
    virtualAddresses: [{ address: '192.0.2.100', prefixLength: 24, family: 'ipv4' }],
    excludedAddresses: [],
    trackInterfaces: [],
    trackScripts: [],
    dontTrackPrimary: false,
    garp: DEFAULT_GARP,
    lowerPrioNoAdvert: false,
    higherPrioSendAdvert: false,
    v3ChecksumWithPseudoHeader: true,
    v2Interop: false,
    notify: {},
    ...overrides,
  };
}

export function config(overrides: Partial<VrrpdConfig> = {}): VrrpdConfig {
  return { global: DEFAULT_GLOBAL, instances: [instance()], scripts: [], syncGroups: [], ...overrides };
}
