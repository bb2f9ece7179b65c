// Virtual servers for tests, in documentation addresses.
import type { AddressFamily } from '../../src/core/address.js';
import type { RealServerSpec, VirtualServerSpec } from '../../src/lb/model.js';
import { ServerPool } from '../../src/lb/pool.js';
import { buildTables, type ServiceRules, type Tables } from '../../src/lb/ruleset.js';
import { schedule } from '../../src/lb/scheduler.js';

export function realServer(address: string, port: number, options: Partial<RealServerSpec> = {}): RealServerSpec {
  const family: AddressFamily = address.includes(':') ? 'ipv6' : 'ipv4';
  return {
    key: family === 'ipv6' ? `[${address}]:${port}` : `${address}:${port}`,
    family,
    address,
    port,
    method: 'NAT',
    weight: 1,
    inhibitOnFailure: false,
    checkers: [{ id: 'TCP_CHECK', alpha: false }],
    ...options,
  };
}

export function virtualServer(address: string, port: number, realServers: readonly RealServerSpec[], options: Partial<VirtualServerSpec> = {}): VirtualServerSpec {
  const family: AddressFamily = address.includes(':') ? 'ipv6' : 'ipv4';
  return {
    key: `tcp ${family === 'ipv6' ? `[${address}]` : address}:${port}`,
    match: { kind: 'address', family, protocol: 'tcp', address, port },
    scheduler: 'rr',
    hashPort: false,
    hashFallback: false,
    quorum: 1,
    hysteresis: 0,
    realServers,
    ...options,
  };
}

/** The rules of these pools now. */
export function rulesOf(pools: readonly ServerPool[]): ServiceRules[] {
  return pools.map((pool) => {
    const destinations = pool.destinations();
    return {
      spec: pool.spec,
      destinations,
      selection: schedule(pool.spec.scheduler, destinations, { hashPort: pool.spec.hashPort, hashFallback: pool.spec.hashFallback }),
      configured: [...pool.spec.realServers, ...(pool.spec.sorryServer ? [pool.spec.sorryServer] : [])],
    };
  });
}

export function tablesOf(pools: readonly ServerPool[]): Tables {
  return buildTables(rulesOf(pools));
}
