// A virtual server's pool as keepalived's ipwrapper.c keeps it.
import { describe, expect, it } from 'vitest';
import type { RealServerSpec, SorryServerSpec, VirtualServerSpec } from '../../src/lb/model.js';
import { ServerPool, type PoolEvent } from '../../src/lb/pool.js';

function real(n: number, options: Partial<RealServerSpec> = {}): RealServerSpec {
  return {
    key: `198.51.100.${10 + n}:80`,
    family: 'ipv4',
    address: `198.51.100.${10 + n}`,
    port: 80,
    method: 'NAT',
    weight: 1,
    inhibitOnFailure: false,
    checkers: [{ id: 'TCP_CHECK', alpha: false }],
    ...options,
  };
}

const sorry: SorryServerSpec = { key: '198.51.100.99:80', family: 'ipv4', address: '198.51.100.99', port: 80, method: 'NAT', inhibit: false };

function service(options: Partial<VirtualServerSpec> = {}): VirtualServerSpec {
  return {
    key: 'tcp 192.0.2.100:80',
    match: { kind: 'address', family: 'ipv4', protocol: 'tcp', address: '192.0.2.100', port: 80 },
    scheduler: 'rr',
    hashPort: false,
    hashFallback: false,
    quorum: 1,
    hysteresis: 0,
    realServers: [real(1), real(2), real(3)],
    ...options,
  };
}

const types = (events: PoolEvent[]): string[] => events.map((event) => event.type);
const weights = (pool: ServerPool): Record<string, number> => Object.fromEntries(pool.destinations().map((d) => [d.server.key, d.weight]));

describe('ServerPool', () => {
  it('starts with every server in service, and a failed checker takes its server out until it passes', () => {
    const pool = new ServerPool(service());
    expect(weights(pool)).toEqual({ '198.51.100.11:80': 1, '198.51.100.12:80': 1, '198.51.100.13:80': 1 });
    expect(types(pool.checkerResult('198.51.100.12:80', 'TCP_CHECK', false))).toEqual(['server-down']);
    expect(Object.keys(weights(pool))).toEqual(['198.51.100.11:80', '198.51.100.13:80']);
    // The same verdict again changes nothing.
    expect(pool.checkerResult('198.51.100.12:80', 'TCP_CHECK', false)).toEqual([]);
    expect(types(pool.checkerResult('198.51.100.12:80', 'TCP_CHECK', true))).toEqual(['server-up']);
    expect(Object.keys(weights(pool))).toHaveLength(3);
  });

  it('a server with two checkers is out while either fails', () => {
    const pool = new ServerPool(service({ realServers: [real(1, { checkers: [{ id: 'a', alpha: false }, { id: 'b', alpha: false }] }), real(2)] }));
    expect(types(pool.checkerResult('198.51.100.11:80', 'a', false))).toEqual(['server-down']);
    expect(pool.checkerResult('198.51.100.11:80', 'b', false)).toEqual([]);
    expect(pool.checkerResult('198.51.100.11:80', 'a', true)).toEqual([]);
    expect(types(pool.checkerResult('198.51.100.11:80', 'b', true))).toEqual(['server-up']);
  });

  it('inhibit_on_failure keeps a failed server at weight 0', () => {
    const pool = new ServerPool(service({ realServers: [real(1, { inhibitOnFailure: true, weight: 3 }), real(2)] }));
    pool.checkerResult('198.51.100.11:80', 'TCP_CHECK', false);
    expect(weights(pool)).toEqual({ '198.51.100.11:80': 0, '198.51.100.12:80': 1 });
  });

  it('alpha: a server starts out of service; its first failure is notified, its first pass brings it in', () => {
    const pool = new ServerPool(service({ realServers: [real(1, { checkers: [{ id: 'c', alpha: true }] }), real(2, { checkers: [{ id: 'c', alpha: true }] })] }));
    expect(pool.destinations()).toEqual([]);
    expect(pool.checkerResult('198.51.100.11:80', 'c', false)).toEqual([{ type: 'server-down', server: expect.objectContaining({ key: '198.51.100.11:80' }), first: true }]);
    expect(types(pool.checkerResult('198.51.100.12:80', 'c', true))).toEqual(['server-up', 'quorum-up']);
  });

  it('without alpha the first check passing says nothing, the first failing is a change', () => {
    const pool = new ServerPool(service());
    expect(pool.checkerResult('198.51.100.11:80', 'TCP_CHECK', true)).toEqual([]);
    expect(types(pool.checkerResult('198.51.100.12:80', 'TCP_CHECK', false))).toEqual(['server-down']);
  });

  it('quorum with hysteresis: lost below quorum - hysteresis, regained at quorum + hysteresis', () => {
    const pool = new ServerPool(service({ quorum: 3, hysteresis: 1, realServers: [real(1), real(2), real(3), real(4)] }));
    expect(pool.hasQuorum).toBe(true);
    expect(types(pool.checkerResult('198.51.100.11:80', 'TCP_CHECK', false))).toEqual(['server-down']);
    expect(types(pool.checkerResult('198.51.100.12:80', 'TCP_CHECK', false))).toEqual(['server-down']);
    // 2 is not below 3 - 1.
    expect(pool.hasQuorum).toBe(true);
    expect(pool.checkerResult('198.51.100.13:80', 'TCP_CHECK', false)).toEqual([
      { type: 'server-down', server: expect.anything() },
      { type: 'quorum-down', weight: 1, threshold: 2, initial: false },
    ]);
    expect(types(pool.checkerResult('198.51.100.11:80', 'TCP_CHECK', true))).toEqual(['server-up']);
    expect(types(pool.checkerResult('198.51.100.12:80', 'TCP_CHECK', true))).toEqual(['server-up']);
    // 3 is not yet 3 + 1.
    expect(pool.hasQuorum).toBe(false);
    expect(types(pool.checkerResult('198.51.100.13:80', 'TCP_CHECK', true))).toEqual(['server-up', 'quorum-up']);
  });

  it('losing the quorum brings the sorry server in place of the real servers; regaining it takes it out', () => {
    const pool = new ServerPool(service({ quorum: 2, sorryServer: sorry, realServers: [real(1), real(2, { inhibitOnFailure: true })] }));
    expect(types(pool.checkerResult('198.51.100.11:80', 'TCP_CHECK', false))).toEqual(['server-down', 'sorry-server-in', 'quorum-down']);
    // The live but uninhibited server leaves, the inhibited one stays at 0, the sorry server serves.
    expect(weights(pool)).toEqual({ '198.51.100.12:80': 0, '198.51.100.99:80': 1 });
    expect(types(pool.checkerResult('198.51.100.11:80', 'TCP_CHECK', true))).toEqual(['server-up', 'sorry-server-out', 'quorum-up']);
    expect(weights(pool)).toEqual({ '198.51.100.11:80': 1, '198.51.100.12:80': 1 });
  });

  it('all real servers down without a sorry server: quorum_down, nothing in the rules', () => {
    const pool = new ServerPool(service({ realServers: [real(1)] }));
    expect(types(pool.checkerResult('198.51.100.11:80', 'TCP_CHECK', false))).toEqual(['server-down', 'quorum-down']);
    expect(pool.destinations()).toEqual([]);
  });

  it('starting without quorum brings the sorry server in at once and says so (keepalived does only with a sorry server)', () => {
    const alpha = [{ id: 'c', alpha: true }];
    const pool = new ServerPool(service({ sorryServer: sorry, realServers: [real(1, { checkers: alpha })] }));
    expect(types(pool.takeInitialEvents())).toEqual(['sorry-server-in', 'quorum-down']);
    expect(pool.takeInitialEvents()).toEqual([]);
    expect(weights(pool)).toEqual({ '198.51.100.99:80': 1 });
    expect(new ServerPool(service({ realServers: [real(1, { checkers: alpha })] })).takeInitialEvents()).toEqual([]);
  });

  it('sorry_server_inhibit keeps the sorry server at weight 0 while the real servers serve', () => {
    const pool = new ServerPool(service({ sorryServer: { ...sorry, inhibit: true } }));
    expect(weights(pool)['198.51.100.99:80']).toBe(0);
  });

  it('misc_dynamic weights adjust the configured weight and can move the quorum', () => {
    const pool = new ServerPool(service({ quorum: 4, realServers: [real(1, { weight: 4, checkers: [{ id: 'misc', alpha: false }] })] }));
    expect(pool.checkerWeight('198.51.100.11:80', 'misc', 10)).toEqual([{ type: 'weight-changed', server: expect.anything(), from: 4, to: 10 }]);
    expect(weights(pool)['198.51.100.11:80']).toBe(10);
    expect(types(pool.checkerWeight('198.51.100.11:80', 'misc', 2))).toEqual(['weight-changed', 'quorum-down']);
    expect(pool.checkerWeight('198.51.100.11:80', 'misc', 2)).toEqual([]);
  });

  it('checker adjustments add up (a FILE_CHECK beside misc_dynamic), a weight below 0 is held at 0 and still alive, 0 removes one', () => {
    const checkers = [
      { id: 'FILE_CHECK', alpha: false },
      { id: 'misc', alpha: false },
    ];
    const pool = new ServerPool(service({ quorum: 1, realServers: [real(1, { weight: 4, checkers }), real(2)] }));
    expect(pool.checkerAdjustment('198.51.100.11:80', 'FILE_CHECK', 3)).toEqual([{ type: 'weight-changed', server: expect.anything(), from: 4, to: 7 }]);
    expect(pool.checkerWeight('198.51.100.11:80', 'misc', 10)).toEqual([{ type: 'weight-changed', server: expect.anything(), from: 7, to: 13 }]);
    expect(types(pool.checkerAdjustment('198.51.100.11:80', 'FILE_CHECK', -50))).toEqual(['weight-changed']);
    // Quiescent: in the rules at weight 0 (no new connections), not taken out.
    expect(weights(pool)['198.51.100.11:80']).toBe(0);
    expect(pool.status()[0]).toMatchObject({ alive: true, inService: false, weight: 0 });
    expect(pool.checkerAdjustment('198.51.100.11:80', 'FILE_CHECK', 0)).toEqual([{ type: 'weight-changed', server: expect.anything(), from: 0, to: 10 }]);
    expect(pool.snapshot().get('198.51.100.11:80')!.adjustments).toEqual(new Map([['misc', 6]]));
  });

  it('a reload keeps the state of the servers that stay', () => {
    const pool = new ServerPool(service());
    pool.checkerResult('198.51.100.12:80', 'TCP_CHECK', false);
    const reloaded = new ServerPool(service({ realServers: [real(2), real(3), real(4)] }), pool.snapshot());
    expect(Object.keys(weights(reloaded))).toEqual(['198.51.100.13:80', '198.51.100.14:80']);
    expect(types(reloaded.checkerResult('198.51.100.12:80', 'TCP_CHECK', true))).toEqual(['server-up']);
  });

  it('omega: stopping reports the servers in service down and the quorum lost', () => {
    const pool = new ServerPool(service({ realServers: [real(1), real(2)] }));
    pool.checkerResult('198.51.100.12:80', 'TCP_CHECK', false);
    expect(types(pool.stop(true))).toEqual(['server-down', 'quorum-down']);
    expect(pool.stop(false)).toEqual([]);
  });
});
