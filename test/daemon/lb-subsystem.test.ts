// The load balancer as the daemon runs it, on a virtual clock with the host faked: the built-in
// checkers (src/checkers, as vrrp_scripts run them) feed the pools through sockets whose far end
// the test plays, the pools' changes reach nftables as diffs, scripts run as keepalived runs them,
// status and metrics report it, a reload keeps what stays, stop removes the tables.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { inThreadCheckers } from '../../src/checkers/checker.js';
import type { CheckerIo, StreamEvents, StreamOptions } from '../../src/checkers/io.js';
import type { VrrpdConfig } from '../../src/config/model.js';
import type { RealServerConfig, VirtualServerConfig } from '../../src/config/virtual-server.js';
import { VirtualClock } from '../../src/core/virtual-clock.js';
import { NftablesError, type ConnectionEntry, type NftablesPort } from '../../src/daemon/lb/ports.js';
import { CONNECTION_REFRESH_MS, LbSubsystem, lbSubsystem, type LbHost } from '../../src/daemon/lb/subsystem.js';
import type { NftFamily } from '../../src/lb/nft.js';
import { ScriptPolicy } from '../../src/scripting/policy.js';
import { UserDatabase } from '../../src/scripting/users.js';
import { bfdInstance, config as baseConfig, trackFile } from '../config/builders.js';
import { BfdSessionStates } from '../../src/daemon/bfd/session-states.js';
import { capturingLogger } from './fakes.js';
import { EXIT_0, FakeFiles, FakeRunner, settle } from '../tracking/fakes.js';
import { tcpVirtualServer } from '../helpers/lb-lab.js';

class FakeNft implements NftablesPort {
  readonly transactions: string[][] = [];
  counterValues = new Map<string, { packets: number; bytes: number }>();
  /** Runs once inside the next transaction (something that happens while nft writes). */
  during: (() => void) | undefined;
  async run(commands: readonly string[]): Promise<void> {
    this.transactions.push([...commands]);
    const during = this.during;
    this.during = undefined;
    during?.();
  }
  async counters(family: NftFamily): Promise<Map<string, { packets: number; bytes: number }>> {
    return family === 'inet' ? this.counterValues : new Map();
  }
  async elements(): Promise<Array<{ key: string; value: string }>> {
    return [];
  }
  /** Every command sent, in order. */
  get commands(): string[] {
    return this.transactions.flat();
  }
}

/**
 * The real servers as the checkers' sockets reach them: a server accepts unless its address is
 * set false in `health`, and answers an HTTP request with its page in `pages` (a whole response).
 */
class ServersIo implements CheckerIo {
  readonly health = new Map<string, boolean>();
  readonly pages = new Map<string, string>();
  /** Every connection opened, as ADDRESS:PORT, in order. */
  readonly opened: string[] = [];
  readonly requests: string[] = [];

  openStream(options: StreamOptions, events: StreamEvents) {
    this.opened.push(`${options.address}:${options.port}`);
    // As the Linux adapter: no event during the call that opens.
    queueMicrotask(() => (this.health.get(options.address) === false ? events.error({ code: 'ECONNREFUSED', message: 'connect ECONNREFUSED' }, 'connect') : events.connected()));
    return {
      write: (bytes: Uint8Array) => {
        this.requests.push(Buffer.from(bytes).toString('latin1'));
        const page = this.pages.get(options.address);
        if (page !== undefined)
          queueMicrotask(() => {
            events.data(Buffer.from(page, 'latin1'));
            events.end();
          });
      },
      close: () => undefined,
    };
  }

  openDatagram(): never {
    throw new Error('no UDP in this test');
  }

  openEcho(): never {
    throw new Error('no ICMP in this test');
  }
}

const TCP_CHECK = { type: 'TCP_CHECK', logAllFailures: false } as const;
const md5 = (text: string): string => createHash('md5').update(text).digest('hex');
const page = (status: string, body: string): string => `HTTP/1.0 ${status}\r\nContent-Length: ${body.length}\r\n\r\n${body}`;

function realServer(n: number, extra: Partial<RealServerConfig> = {}): RealServerConfig {
  return {
    family: 'ipv4',
    address: `198.51.100.1${n}`,
    port: 80,
    checkers: [TCP_CHECK],
    notifyUp: { command: `/usr/local/bin/rs-up ${n}` },
    notifyDown: { command: `/usr/local/bin/rs-down ${n}` },
    ...extra,
  };
}

function virtualServer(extra: Partial<VirtualServerConfig> = {}): VirtualServerConfig {
  return tcpVirtualServer('192.0.2.100', 80, {
    delayLoopMs: 2000,
    connectTimeoutMs: 500,
    retry: 0,
    realServers: [realServer(1), realServer(2), realServer(3)],
    ...extra,
  });
}

function setup(virtualServers: VirtualServerConfig[], addresses?: LbHost['addresses'], random = 0, extra: Partial<VrrpdConfig> = {}) {
  const clock = new VirtualClock();
  const io = new ServersIo();
  const nft = new FakeNft();
  const files = new FakeFiles();
  const bfdStates = new BfdSessionStates();
  const runner = new FakeRunner();
  runner.auto = EXIT_0;
  const { log, records } = capturingLogger();
  /** Whether each real server accepts connections (by address). */
  const health = io.health;
  const host = {
    clock,
    log,
    nft,
    random: () => random,
    scripts: (config: VrrpdConfig) => ({
      policy: new ScriptPolicy(config.global, new UserDatabase('root:x:0:0::/:/bin/sh\n', ''), { stat: () => ({ uid: 0, gid: 0, mode: 0o100755 }), realpath: (path: string) => path }, log),
      runner,
      log,
    }),
    checkers: inThreadCheckers({ io, clock }),
    ...(addresses ? { addresses } : {}),
    files,
    bfdStates,
  };
  const config = baseConfig({ instances: [], virtualServers, ...extra });
  const subsystem = new LbSubsystem(config, host);
  const scripts = (): string[] => runner.runs.map((run) => run.request.argv.join(' '));
  return { clock, nft, runner, records, health, io, host, subsystem, scripts, config, files, bfdStates };
}

async function tick(clock: VirtualClock, ms: number): Promise<void> {
  clock.advanceBy(ms);
  await settle();
}

describe('load balancer subsystem', () => {
  it('is wanted for a configuration with a virtual server that has real servers', () => {
    const factory = lbSubsystem(setup([]).host);
    expect(factory.wanted(baseConfig())).toBe(false);
    expect(factory.wanted(baseConfig({ virtualServers: [virtualServer()] }))).toBe(true);
    expect(factory.wanted(baseConfig({ virtualServers: [virtualServer({ realServers: [] })] }))).toBe(false);
  });

  it('installs the table at start, takes a failed server out and puts it back, running its notify scripts', async () => {
    const { clock, nft, health, subsystem, scripts, records } = setup([virtualServer()]);
    await subsystem.start();
    expect(nft.transactions[0]!.slice(0, 2)).toEqual(['add table inet vrrpd_lb', 'delete table inet vrrpd_lb']);
    expect(nft.commands).toContain(
      'add rule inet vrrpd_lb vs_192_0_2_100_tcp_80 meta l4proto tcp dnat ip to numgen inc mod 3 map { 0 : 198.51.100.11 . 80, 1 : 198.51.100.12 . 80, 2 : 198.51.100.13 . 80 }',
    );
    await tick(clock, 0);
    expect(subsystem.status().virtualServers[0]!.realServers.map((rs) => rs.checkers[0]!.runs)).toEqual([1, 1, 1]);

    health.set('198.51.100.12', false);
    const sent = nft.transactions.length;
    await tick(clock, 2000);
    const update = nft.transactions.slice(sent).flat();
    expect(update).toContain('delete element inet vrrpd_lb vs_192_0_2_100_tcp_80_members { 198.51.100.12 }');
    expect(update).toContain('add rule inet vrrpd_lb vs_192_0_2_100_tcp_80 meta l4proto tcp dnat ip to numgen inc mod 2 map { 0 : 198.51.100.11 . 80, 1 : 198.51.100.13 . 80 }');
    expect(scripts()).toEqual(['/usr/local/bin/rs-down 2']);
    expect(records().some((r) => r['event'] === 'lb-server-down' && r['realServer'] === '[198.51.100.12]:tcp:80')).toBe(true);
    const status = subsystem.status().virtualServers[0]!;
    expect(status.realServers[1]).toMatchObject({ key: '[198.51.100.12]:tcp:80', alive: false, inService: false, weight: 0, checkers: [{ id: 'TCP_CHECK', state: 'failed', detail: 'connection refused' }] });
    expect(subsystem.summary()).toBe('[192.0.2.100]:tcp:80 2/3 up');

    health.set('198.51.100.12', true);
    await tick(clock, 2000);
    expect(scripts()).toEqual(['/usr/local/bin/rs-down 2', '/usr/local/bin/rs-up 2']);
    expect(nft.transactions.at(-1)!.join('\n')).toContain('numgen inc mod 3');

    await subsystem.stop();
    expect(nft.transactions.at(-1)).toEqual(['add table inet vrrpd_lb', 'delete table inet vrrpd_lb', 'add table netdev vrrpd_lb', 'delete table netdev vrrpd_lb']);
  });

  it('HTTP_GET with status_code and digest: a wrong status or body takes the server out with the reason in status; fixed, it returns', async () => {
    const healthy = page('200 OK', 'healthy');
    const http = { type: 'HTTP_GET', urls: [{ path: '/health', statusCodes: [[200, 200]], digest: md5('healthy') }], httpProtocol: '1.0', enableSni: false, tlsCompliant: false, fastRecovery: false, logAllFailures: false } as const;
    const { clock, nft, io, subsystem, scripts } = setup([virtualServer({ virtualhost: 'www.example.test', realServers: [1, 2, 3].map((n) => realServer(n, { checkers: [http], notifyUp: undefined })) })]);
    for (const n of [1, 2, 3]) io.pages.set(`198.51.100.1${n}`, healthy);
    await subsystem.start();
    await tick(clock, 0);
    // connect_ip and connect_port are the real server's; the Host header the virtual server's virtualhost.
    expect(io.opened).toEqual(['198.51.100.11:80', '198.51.100.12:80', '198.51.100.13:80']);
    expect(io.requests[0]).toBe('GET /health HTTP/1.0\r\nUser-Agent: KeepAliveClient\r\nHost: www.example.test\r\n\r\n');
    const serverStatus = () => subsystem.status().virtualServers[0]!.realServers[1]!;
    expect(serverStatus()).toMatchObject({ inService: true, checkers: [{ id: 'HTTP_GET', state: 'up', runs: 1, detail: 'HTTP status 200, digest matches' }] });

    io.pages.set('198.51.100.12', page('503 Service Unavailable', 'healthy'));
    await tick(clock, 2000);
    expect(serverStatus()).toMatchObject({ inService: false, checkers: [{ state: 'failed', reason: 'http-status', detail: 'HTTP status 503 (expected 200)' }] });
    expect(nft.transactions.at(-1)!.join('\n')).toContain('numgen inc mod 2 map { 0 : 198.51.100.11 . 80, 1 : 198.51.100.13 . 80 }');
    expect(scripts()).toEqual(['/usr/local/bin/rs-down 2']);

    io.pages.set('198.51.100.12', page('200 OK', 'unhealthy'));
    await tick(clock, 2000);
    expect(serverStatus()).toMatchObject({ inService: false, checkers: [{ state: 'failed', reason: 'digest', detail: `MD5 digest ${md5('unhealthy')} of the 9-byte body is not ${md5('healthy')}` }] });

    io.pages.set('198.51.100.12', healthy);
    await tick(clock, 2000);
    expect(serverStatus()).toMatchObject({ inService: true, checkers: [{ state: 'up', detail: 'HTTP status 200, digest matches', lastFailure: `MD5 digest ${md5('unhealthy')} of the 9-byte body is not ${md5('healthy')}` }] });
    expect(nft.transactions.at(-1)!.join('\n')).toContain('numgen inc mod 3');
    await subsystem.stop();
  });

  it('warmup: a checker first runs after warmup × the injected random, with one attempt; later runs retry', async () => {
    const { clock, io, health, subsystem, records } = setup([virtualServer({ warmupMs: 10_000, retry: 2, delayBeforeRetryMs: 100, realServers: [realServer(1)] })], undefined, 0.25);
    health.set('198.51.100.11', false);
    await subsystem.start();
    await tick(clock, 2499);
    expect(io.opened).toEqual([]);
    await tick(clock, 1);
    expect(io.opened).toHaveLength(1);
    expect(subsystem.status().virtualServers[0]!.realServers[0]).toMatchObject({ alive: false, checkers: [{ state: 'failed', runs: 1, reason: 'refused', detail: 'connection refused' }] });
    await tick(clock, 2000);
    await tick(clock, 100);
    await tick(clock, 100);
    expect(io.opened).toHaveLength(4);
    // The server was down already: without log_all_failures, only the run that took it down is logged.
    expect(records().filter((record) => record['event'] === 'lb-check-failed')).toHaveLength(1);
    expect(subsystem.status().virtualServers[0]!.realServers[0]!.checkers[0]).toMatchObject({ runs: 2, detail: 'connection refused (after 3 attempts)' });
    await subsystem.stop();
  });

  it('log_all_failures logs every failed run, not only the one that takes the server down', async () => {
    const { clock, health, subsystem, records } = setup([virtualServer({ realServers: [realServer(1, { checkers: [{ ...TCP_CHECK, logAllFailures: true }] })] })]);
    health.set('198.51.100.11', false);
    await subsystem.start();
    await tick(clock, 0);
    await tick(clock, 2000);
    await tick(clock, 2000);
    expect(records().filter((record) => record['event'] === 'lb-check-failed').map((record) => record['detail'])).toEqual(['connection refused', 'connection refused', 'connection refused']);
    await subsystem.stop();
  });

  it('a checker\'s own connect_ip / connect_port go before the real server\'s', async () => {
    const { clock, io, subsystem } = setup([virtualServer({ realServers: [realServer(1, { checkers: [{ ...TCP_CHECK, connectPort: 8080 }] }), realServer(2, { checkers: [{ ...TCP_CHECK, connectIp: '198.51.100.50' }] })] })]);
    await subsystem.start();
    await tick(clock, 0);
    expect(io.opened).toEqual(['198.51.100.11:8080', '198.51.100.50:80']);
    await subsystem.stop();
  });

  it('a start nft refuses fails with nft\'s reason, and the stop that follows logs no second error (its clean-up is tried, quietly)', async () => {
    const { nft, subsystem, records } = setup([virtualServer()]);
    nft.run = async () => {
      throw new NftablesError("cannot run nft: spawn nft ENOENT (vrrpd's load balancer needs the nft tool, Debian package nftables)", []);
    };
    await expect(subsystem.start()).rejects.toThrow('needs the nft tool, Debian package nftables');
    await subsystem.stop();
    expect(records().filter((record) => record['event'] === 'lb-rules-failed').map((record) => record['level'])).toEqual([20]);
  });

  it('all real servers down: the sorry server serves and quorum_down runs; one back: quorum_up, sorry server out', async () => {
    const { clock, nft, health, subsystem, scripts } = setup([
      virtualServer({
        quorumUp: { command: '/usr/local/bin/quorum up' },
        quorumDown: { command: '/usr/local/bin/quorum down' },
        sorryServer: { family: 'ipv4', address: '198.51.100.99', port: 8080, inhibit: false },
        realServers: [realServer(1, { notifyDown: undefined, notifyUp: undefined }), realServer(2, { notifyDown: undefined, notifyUp: undefined })],
      }),
    ]);
    await subsystem.start();
    await tick(clock, 0);
    health.set('198.51.100.11', false);
    health.set('198.51.100.12', false);
    await tick(clock, 2000);
    expect(scripts()).toEqual(['/usr/local/bin/quorum down']);
    expect(nft.transactions.at(-1)).toContain('add rule inet vrrpd_lb vs_192_0_2_100_tcp_80 meta l4proto tcp dnat ip to numgen inc mod 1 map { 0 : 198.51.100.99 . 8080 }');
    expect(subsystem.status().virtualServers[0]).toMatchObject({ quorum: { up: false, liveWeight: 0 }, sorryServer: { key: '[198.51.100.99]:tcp:8080', active: true } });
    health.set('198.51.100.11', true);
    await tick(clock, 2000);
    expect(scripts()).toEqual(['/usr/local/bin/quorum down', '/usr/local/bin/quorum up']);
    expect(nft.transactions.at(-1)).toContain('add rule inet vrrpd_lb vs_192_0_2_100_tcp_80 meta l4proto tcp dnat ip to numgen inc mod 1 map { 0 : 198.51.100.11 . 80 }');
    await subsystem.stop();
  });

  it('ha_suspend: the checkers do not run while the VIP is not on the host, and the state stays', async () => {
    const listeners: Array<(address: string, present: boolean) => void> = [];
    const addresses = { present: async () => new Set<string>(), watch: (listener: (address: string, present: boolean) => void) => (listeners.push(listener), () => undefined) };
    const { clock, health, subsystem: suspended } = setup([virtualServer({ haSuspend: true })], addresses);
    await suspended.start();
    health.set('198.51.100.11', false);
    await tick(clock, 10_000);
    expect(suspended.status().virtualServers[0]).toMatchObject({ suspended: true, realServers: [{ alive: true, checkers: [{ runs: 0 }] }, {}, {}] });
    listeners[0]!('192.0.2.100', true);
    await tick(clock, 2000);
    expect(suspended.status().virtualServers[0]).toMatchObject({ suspended: false, realServers: [{ alive: false, checkers: [{ runs: 1 }] }, {}, {}] });
    await suspended.stop();
  });

  it('a reload keeps the state of servers that stay, adds and removes the rest, and says so', async () => {
    const { clock, health, subsystem, config, nft } = setup([virtualServer()]);
    await subsystem.start();
    await tick(clock, 0);
    health.set('198.51.100.12', false);
    await tick(clock, 2000);
    const next: VrrpdConfig = { ...config, virtualServers: [virtualServer({ realServers: [realServer(2), realServer(3), realServer(4)] }), virtualServer({ target: { kind: 'address', family: 'ipv4', address: '192.0.2.101', port: 443 } })] };
    const sent = nft.transactions.length;
    const summary = await subsystem.reload(next);
    expect(summary).toEqual({ unchanged: [], updated: [{ instance: '[192.0.2.100]:tcp:80', changes: ['realServers'] }], restarted: [], removed: [], added: ['[192.0.2.101]:tcp:443'] });
    // The failed server stays out: keepalived does not re-add it on reload.
    expect(nft.transactions.slice(sent).flat()).toContain('add rule inet vrrpd_lb vs_192_0_2_100_tcp_80 meta l4proto tcp dnat ip to numgen inc mod 2 map { 0 : 198.51.100.13 . 80, 1 : 198.51.100.14 . 80 }');
    expect(subsystem.status().virtualServers.map((vs) => vs.key)).toEqual(['[192.0.2.100]:tcp:80', '[192.0.2.101]:tcp:443']);
    await subsystem.stop();
  });

  describe('FILE_CHECK and BFD_CHECK: watched, not run', () => {
    const FILE = '/run/lb/maintenance';
    const members = (nft: FakeNft): string[] => nft.commands.filter((command) => command.includes('_members {'));

    it('FILE_CHECK weight 0: a server starts out while its file holds a number other than 0, and follows each write at once', async () => {
      const servers = [realServer(1, { checkers: [{ type: 'FILE_CHECK', trackFile: 'maint', weight: 0 }] }), realServer(2, { checkers: [] })];
      const { files, subsystem, nft, scripts, clock } = setup([virtualServer({ realServers: servers })], undefined, 0, { trackFiles: [trackFile({ name: 'maint', path: FILE })] });
      files.contents.set(FILE, '1\n');
      await subsystem.start();
      // Known before the first rules: the server was never in them, and no script ran for it.
      expect(nft.commands).toContain('add rule inet vrrpd_lb vs_192_0_2_100_tcp_80 meta l4proto tcp dnat ip to numgen inc mod 1 map { 0 : 198.51.100.12 . 80 }');
      expect(scripts()).toEqual([]);
      expect(subsystem.status().virtualServers[0]!.realServers[0]).toMatchObject({ alive: false, checkers: [{ id: 'FILE_CHECK', state: 'failed', runs: 1, detail: 'track_file maint reads 1, weight 0: not 0 is down' }] });

      files.write(FILE, '0\n');
      await settle();
      expect(nft.transactions.at(-1)!.join('\n')).toContain('numgen inc mod 2');
      expect(scripts()).toEqual(['/usr/local/bin/rs-up 1']);
      files.write(FILE, '  +7 trailing words');
      await settle();
      expect(nft.transactions.at(-1)!.join('\n')).toContain('numgen inc mod 1');
      expect(scripts()).toEqual(['/usr/local/bin/rs-up 1', '/usr/local/bin/rs-down 1']);
      // A file removed reads 0 (keepalived's IN_DELETE): back in.
      files.write(FILE, undefined);
      await settle();
      expect(subsystem.status().virtualServers[0]!.realServers[0]).toMatchObject({ alive: true, inService: true, checkers: [{ state: 'up', runs: 4, lastFailure: 'track_file maint reads 7, weight 0: not 0 is down' }] });
      // Nothing runs on the clock for it.
      clock.advanceBy(120_000);
      await settle();
      expect(subsystem.status().virtualServers[0]!.realServers[0]!.checkers[0]!.runs).toBe(4);
      expect(members(nft).length).toBeGreaterThan(0);
      await subsystem.stop();
      files.write(FILE, '9');
      await settle();
      expect(scripts()).toHaveLength(3);
    });

    it('FILE_CHECK without weight takes the track_file\'s (1 by default): the number is added to the server\'s weight; weight -1 and 2147483648 take it out', async () => {
      const servers = [
        realServer(1, { weight: 10, checkers: [{ type: 'FILE_CHECK', trackFile: 'load' }] }),
        realServer(2, { weight: 10, checkers: [{ type: 'FILE_CHECK', trackFile: 'load', weight: -1 }] }),
        realServer(3, { weight: 10, checkers: [{ type: 'FILE_CHECK', trackFile: 'load', weight: 2, reverse: true }] }),
      ];
      const { files, subsystem, records } = setup([virtualServer({ scheduler: 'wrr', realServers: servers })], undefined, 0, { trackFiles: [trackFile({ name: 'load', path: FILE })] });
      files.contents.set(FILE, '3');
      await subsystem.start();
      const weights = (): number[] => subsystem.status().virtualServers[0]!.realServers.map((rs) => rs.weight);
      expect(weights()).toEqual([13, 7, 4]);
      expect(subsystem.status().virtualServers[0]!.realServers.map((rs) => rs.checkers[0]!.detail)).toEqual([
        'track_file load reads 3, weight 1: +3 to the weight',
        'track_file load reads 3, weight -1: -3 to the weight',
        'track_file load reads 3, weight 2 reverse: -6 to the weight',
      ]);
      files.write(FILE, '-4');
      await settle();
      expect(weights()).toEqual([6, 14, 18]);
      expect(records().filter((r) => r['event'] === 'lb-weight-changed').map((r) => [r['realServer'], r['from'], r['to']])).toEqual([
        ['[198.51.100.11]:tcp:80', 13, 6],
        ['[198.51.100.12]:tcp:80', 7, 14],
        ['[198.51.100.13]:tcp:80', 4, 18],
      ]);
      files.write(FILE, '2147483648');
      await settle();
      const status = subsystem.status().virtualServers[0]!.realServers;
      expect(status.map((rs) => [rs.alive, rs.weight])).toEqual([
        [true, 65_535],
        [false, 0],
        // 2147483648 x 2, reversed: past INT_MIN, down as well.
        [false, 0],
      ]);
      expect(status[1]!.checkers[0]!.detail).toBe('track_file load reads 2147483648, weight -1: at or below -2147483648 is down');
      await subsystem.stop();
    });

    it('BFD_CHECK: up from the start (down with alpha) until its session says; Down takes the server out, Up puts it back; the neighbour\'s AdminDown does not', async () => {
      const servers = [realServer(1, { checkers: [{ type: 'BFD_CHECK', name: 'rs1' }] }), realServer(2, { checkers: [{ type: 'BFD_CHECK', name: 'rs1', alpha: true }] })];
      const { bfdStates, subsystem, scripts } = setup([virtualServer({ realServers: servers })], undefined, 0, { bfdInstances: [bfdInstance({ name: 'rs1', neighborIp: '198.51.100.11' })] });
      await subsystem.start();
      const alive = (): boolean[] => subsystem.status().virtualServers[0]!.realServers.map((rs) => rs.alive);
      expect(alive()).toEqual([true, false]);
      bfdStates.changed('rs1', { from: 'Init', to: 'Up', diag: 0, remoteState: 'Up', remoteDiag: 0 });
      expect(alive()).toEqual([true, true]);
      bfdStates.changed('rs1', { from: 'Up', to: 'Down', diag: 1, remoteState: 'Up', remoteDiag: 0 });
      expect(alive()).toEqual([false, false]);
      expect(subsystem.status().virtualServers[0]!.realServers[0]!.checkers[0]).toMatchObject({ state: 'failed', detail: 'bfd_instance rs1: Down: Control Detection Time Expired' });
      bfdStates.changed('rs1', { from: 'Down', to: 'Up', diag: 0, remoteState: 'Up', remoteDiag: 0 });
      bfdStates.changed('rs1', { from: 'Up', to: 'Down', diag: 3, remoteState: 'AdminDown', remoteDiag: 7 });
      expect(alive()).toEqual([true, true]);
      await settle();
      expect(scripts()).toEqual(['/usr/local/bin/rs-up 2', '/usr/local/bin/rs-down 1', '/usr/local/bin/rs-down 2', '/usr/local/bin/rs-up 1', '/usr/local/bin/rs-up 2']);
      await subsystem.stop();
    });

    it('what changes while the first rules are written is taken when the watch starts: a file written, a session come Up', async () => {
      const servers = [realServer(1, { checkers: [{ type: 'FILE_CHECK', trackFile: 'maint', weight: 0 }] }), realServer(2, { checkers: [{ type: 'BFD_CHECK', name: 'rs2', alpha: true }] })];
      const { files, bfdStates, subsystem, nft } = setup([virtualServer({ realServers: servers })], undefined, 0, { trackFiles: [trackFile({ name: 'maint', path: FILE })], bfdInstances: [bfdInstance({ name: 'rs2', neighborIp: '198.51.100.12' })] });
      files.contents.set(FILE, '0');
      nft.during = () => {
        files.write(FILE, '1');
        bfdStates.changed('rs2', { from: 'Init', to: 'Up', diag: 0, remoteState: 'Up', remoteDiag: 0 });
      };
      await subsystem.start();
      await settle();
      expect(subsystem.status().virtualServers[0]!.realServers.map((rs) => [rs.alive, rs.checkers[0]!.detail])).toEqual([
        [false, 'track_file maint reads 1, weight 0: not 0 is down'],
        [true, 'bfd_instance rs2: Up'],
      ]);
      await subsystem.stop();
    });

    it('a reload keeps a FILE_CHECK that stays and takes a changed weight at once', async () => {
      const vs = (weight: number): VirtualServerConfig => virtualServer({ scheduler: 'wrr', realServers: [realServer(1, { weight: 10, checkers: [{ type: 'FILE_CHECK', trackFile: 'load', weight }] })] });
      const extra = { trackFiles: [trackFile({ name: 'load', path: FILE })] };
      const { files, subsystem, config } = setup([vs(2)], undefined, 0, extra);
      files.contents.set(FILE, '5');
      await subsystem.start();
      const rs = () => subsystem.status().virtualServers[0]!.realServers[0]!;
      expect(rs().weight).toBe(20);
      await subsystem.reload({ ...config, virtualServers: [vs(2)] });
      expect(rs()).toMatchObject({ weight: 20, checkers: [{ runs: 1 }] });
      await subsystem.reload({ ...config, virtualServers: [vs(-1)] });
      expect(rs()).toMatchObject({ weight: 5, checkers: [{ runs: 1 }] });
      files.write(FILE, '6');
      await settle();
      // One watch: the old one stopped with its definition.
      expect(rs()).toMatchObject({ weight: 4, checkers: [{ runs: 2 }] });
      await subsystem.stop();
    });
  });

  it('a stop while a connection-count read is in flight leaves no table: the read finishing after it writes nothing', async () => {
    const { clock, nft, subsystem, host } = setup([virtualServer({ scheduler: 'wlc' })]);
    let release: (entries: ConnectionEntry[]) => void = () => undefined;
    Object.assign(host, { conntrack: { destinationCounts: () => new Promise<ConnectionEntry[]>((resolve) => (release = resolve)) } });
    await subsystem.start();
    await tick(clock, CONNECTION_REFRESH_MS);
    await subsystem.stop();
    const deleted = nft.transactions.length;
    expect(nft.transactions.at(-1)).toEqual(['add table inet vrrpd_lb', 'delete table inet vrrpd_lb', 'add table netdev vrrpd_lb', 'delete table netdev vrrpd_lb']);
    release([]);
    await tick(clock, CONNECTION_REFRESH_MS);
    expect(nft.transactions.slice(deleted)).toEqual([]);
  });

  it('metrics carry the keepalived exporter names, from the counters', async () => {
    const { clock, nft, subsystem } = setup([virtualServer({ realServers: [realServer(1), realServer(2)] })]);
    nft.counterValues = new Map([
      ['vs_192_0_2_100_tcp_80_rs_198_51_100_11_tcp_80_conns', { packets: 3, bytes: 180 }],
      ['vs_192_0_2_100_tcp_80_rs_198_51_100_11_tcp_80_in', { packets: 30, bytes: 2000 }],
      ['vs_192_0_2_100_tcp_80_rs_198_51_100_12_tcp_80_out', { packets: 20, bytes: 9000 }],
    ]);
    await subsystem.start();
    await tick(clock, 0);
    const text = subsystem.metrics();
    expect(text).toContain('keepalived_lvs_vip_conn{addr="192.0.2.100:80",proto="6"} 3');
    expect(text).toContain('keepalived_lvs_vip_in_packets{addr="192.0.2.100:80",proto="6"} 30');
    expect(text).toContain('keepalived_lvs_vip_out_bytes{addr="192.0.2.100:80",proto="6"} 9000');
    expect(text).toContain('keepalived_lvs_rs_conn{addr="198.51.100.11:80",proto="6",vs="[192.0.2.100]:tcp:80"} 3');
    expect(text).toContain('vrrpd_lvs_rs_up{vs="[192.0.2.100]:tcp:80",rs="[198.51.100.12]:tcp:80"} 1');
    expect(text).toContain('vrrpd_lvs_vs_quorum_up{vs="[192.0.2.100]:tcp:80"} 1');
    await subsystem.stop();
  });
});
