// The load balancer on a real kernel:
// - requests/s and latency (p50, p99) through the director against the same real server reached
//   directly (routed by the same director, without NAT: the limit), with wrk at 1 and 100
//   concurrent connections, keep-alive and one connection per request;
// - the time to install vrrpd's table and to update it (one real server failing) for 1, 100 and
//   1,000 real servers, through the nft tool as the daemon does;
// - the time from a failed check to the rule change, as the daemon logs it.
// Needs root, wrk and a quiet machine (the figures are worthless at a load average above ~1.5).
import { execFile, type ChildProcess } from 'node:child_process';
import { loadavg } from 'node:os';
import { promisify } from 'node:util';
import type { VirtualServerConfig } from '../src/config/virtual-server.js';
import { createLogger } from '../src/core/log.js';
import { RulesWriter } from '../src/daemon/lb/rules.js';
import type { RealServerSpec } from '../src/lb/model.js';
import { ServerPool } from '../src/lb/pool.js';
import { NftCli } from '../src/linux/nftables/nft.js';
import { createNatLab, curlCheck, directorVrrp, listening, REAL_SERVERS, SERVICE_VIP, startDirector, tcpVirtualServer, virtualServers } from '../test/helpers/lb-lab.js';
import { tablesOf } from '../test/lb/builders.js';
import { sleep } from './lib/daemons.js';
import type { BenchOptions, BenchReport } from './lib/report.js';
import { fmt, median, table } from './lib/stats.js';

const run = promisify(execFile);

interface WrkResult {
  readonly requestsPerS: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly errors: number;
}

/** wrk's latency cell ("1.23ms", "456.00us", "1.02s") in milliseconds. */
function milliseconds(text: string): number {
  const match = /^([\d.]+)(us|ms|s)$/.exec(text.trim());
  if (!match) return Number.NaN;
  const value = Number(match[1]);
  return match[2] === 'us' ? value / 1000 : match[2] === 's' ? value * 1000 : value;
}

export function parseWrk(output: string): WrkResult {
  const rate = /Requests\/sec:\s+([\d.]+)/.exec(output);
  const p50 = /^\s+50%\s+(\S+)/m.exec(output);
  const p99 = /^\s+99%\s+(\S+)/m.exec(output);
  const errors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(output);
  const non2xx = /Non-2xx or 3xx responses: (\d+)/.exec(output);
  return {
    requestsPerS: rate ? Number(rate[1]) : Number.NaN,
    p50Ms: p50 ? milliseconds(p50[1]!) : Number.NaN,
    p99Ms: p99 ? milliseconds(p99[1]!) : Number.NaN,
    errors: (errors ? errors.slice(1).reduce((sum, n) => sum + Number(n), 0) : 0) + (non2xx ? Number(non2xx[1]) : 0),
  };
}

/** A keep-alive HTTP server answering its name (the test servers close every connection). */
function server(host: import('../test/helpers/netns.js').LabHost, name: string): ChildProcess {
  return host.spawn('node', ['-e', `require('http').createServer((q, s) => s.end(${JSON.stringify(name)})).listen(80, () => console.log('listening'));`]);
}

function service(port: number, servers: readonly string[]): VirtualServerConfig {
  return tcpVirtualServer(SERVICE_VIP, port, {
    delayLoopMs: 1000,
    connectTimeoutMs: 1000,
    retry: 0,
    realServers: servers.map((address) => ({ family: 'ipv4' as const, address, port: 80, checkers: [curlCheck(address)] })),
  });
}

/** N real servers in documentation addresses: 198.51.100.1..250, ports 8000 up. */
function manyServers(count: number): RealServerSpec[] {
  return Array.from({ length: count }, (_, index) => {
    const address = `198.51.100.${(index % 250) + 1}`;
    const port = 8000 + Math.floor(index / 250);
    return { key: `[${address}]:tcp:${port}`, family: 'ipv4', address, port, method: 'NAT', weight: 1, inhibitOnFailure: false, checkers: [{ id: 'TCP_CHECK', alpha: false }] };
  });
}

export async function lbBench(options: BenchOptions): Promise<BenchReport> {
  const durationS = { full: 10, quick: 5, tiny: 2 }[options.mode];
  const trials = options.trials ?? { full: 7, quick: 3, tiny: 1 }[options.mode];
  const load = loadavg()[0]!;
  options.log(`load average ${load.toFixed(2)}${load > 1.5 ? ' (above 1.5: these figures are not worth much)' : ''}`);
  const lab = await createNatLab();
  const sections: string[] = [];
  const data: Record<string, unknown> = { loadAverage: load };
  try {
    const [client] = lab.clients;
    const [d1] = lab.directors;
    const servers = lab.realServers.map((host, index) => server(host, `rs${index + 1}`));
    await Promise.all(servers.map(listening));
    // The direct path: the same director routes to the real server, without NAT.
    await client!.ip('route', 'add', '198.51.100.0/24', 'via', '192.0.2.2');
    const director = startDirector(lab, d1!, directorVrrp(150), [service(80, [REAL_SERVERS[0]]), service(81, [...REAL_SERVERS])]);
    for (let waited = 0; !(await d1!.addresses()).some((a) => a.startsWith(`${SERVICE_VIP}/`)); waited += 200) {
      if (waited > 30_000) throw new Error('the director did not become Master');
      await sleep(200);
    }
    await sleep(2000);

    // 1. Through the director against direct.
    const wrk = async (url: string, connections: number, close: boolean): Promise<WrkResult> => {
      const args = ['netns', 'exec', client!.netns, 'wrk', '-t', connections > 1 ? '2' : '1', '-c', String(connections), '-d', `${durationS}s`, '--latency', ...(close ? ['-H', 'Connection: close'] : []), url];
      const { stdout } = await run('ip', args, { maxBuffer: 1 << 20 });
      return parseWrk(stdout);
    };
    const rows: string[][] = [];
    const paths: Record<string, unknown> = {};
    for (const close of [false, true]) {
      for (const connections of [1, 100]) {
        const direct = await wrk(`http://${REAL_SERVERS[0]}/`, connections, close);
        const via = await wrk(`http://${SERVICE_VIP}:80/`, connections, close);
        const three = await wrk(`http://${SERVICE_VIP}:81/`, connections, close);
        paths[`${close ? 'close' : 'keepalive'}-${connections}`] = { direct, via, three };
        rows.push([
          close ? 'new connection per request' : 'keep-alive',
          String(connections),
          fmt(direct.requestsPerS, 0),
          fmt(via.requestsPerS, 0),
          `${fmt((via.requestsPerS / direct.requestsPerS) * 100, 0)} %`,
          `${fmt(direct.p50Ms, 2)} / ${fmt(direct.p99Ms, 2)}`,
          `${fmt(via.p50Ms, 2)} / ${fmt(via.p99Ms, 2)}`,
          fmt(three.requestsPerS, 0),
          String(direct.errors + via.errors + three.errors),
        ]);
      }
    }
    data['paths'] = paths;
    sections.push(
      table(['connections', 'concurrent', 'direct req/s', 'via VIP req/s', 'via / direct', 'direct p50 / p99 ms', 'via VIP p50 / p99 ms', 'via VIP, 3 servers req/s', 'errors'], rows),
      '',
      `wrk ${durationS} s per cell from one client; "direct" is the same real server routed by the same director without NAT; the 3-server column spreads over three single-threaded servers.`,
    );

    // 2. Failed check to rule change, as the daemon logs it (its clock, check result to nft done).
    const failures: number[] = [];
    for (let trial = 0; trial < trials; trial++) {
      const before = director.lines.length;
      servers[1]!.kill('SIGKILL');
      for (let waited = 0; ; waited += 100) {
        const applied = director.lines.slice(before).find((line) => line.includes('"lb-rules-applied"'));
        if (applied) {
          failures.push(Number(/"ms":([\d.]+)/.exec(applied)?.[1]));
          break;
        }
        if (waited > 20_000) throw new Error('no rule change after the failed check');
        await sleep(100);
      }
      servers[1] = server(lab.realServers[1]!, 'rs2');
      await listening(servers[1]);
      for (let waited = 0; !(await virtualServers(director)).every((vs) => vs.realServers.every((rs) => rs.inService)); waited += 200) {
        if (waited > 20_000) throw new Error('rs2 did not return');
        await sleep(200);
      }
    }
    data['checkToRuleMs'] = failures;
    director.process.kill('SIGTERM');
    await sleep(1000);

    // 3. Install and update times for 1, 100 and 1,000 real servers (nft as the daemon runs it).
    const log = createLogger({ level: 'silent' });
    const timing: string[][] = [];
    const emptyRuns: number[] = [];
    const nft = new NftCli({ netns: d1!.netns });
    for (let n = 0; n < trials; n++) {
      const started = performance.now();
      await nft.run(['list tables']);
      emptyRuns.push(performance.now() - started);
    }
    for (const count of [1, 100, 1000]) {
      const installs: number[] = [];
      const updates: number[] = [];
      const computes: number[] = [];
      let commands = 0;
      for (let trial = 0; trial < trials; trial++) {
        const realServers = manyServers(count);
        const pool = new ServerPool({ key: `[${SERVICE_VIP}]:tcp:90`, match: { kind: 'address', family: 'ipv4', protocol: 'tcp', address: SERVICE_VIP, port: 90 }, scheduler: 'wrr', hashPort: false, hashFallback: false, quorum: 1, hysteresis: 0, realServers });
        const writer = new RulesWriter(nft, log);
        let started = performance.now();
        await writer.start(tablesOf([pool]));
        installs.push(performance.now() - started);
        pool.checkerResult(realServers[Math.floor(count / 2)]!.key, 'TCP_CHECK', false);
        started = performance.now();
        const tables = tablesOf([pool]);
        computes.push(performance.now() - started);
        const result = await writer.update(tables);
        updates.push(performance.now() - started);
        commands = result.commands;
        await writer.stop();
      }
      timing.push([String(count), fmt(median(installs), 1), fmt(median(updates), 1), fmt(median(computes), 2), String(commands)]);
      data[`rules-${count}`] = { installs, updates, computes };
    }
    sections.push(
      '',
      table(['real servers', 'install ms', 'update ms (one fails)', 'of which computing ms', 'update commands'], timing),
      '',
      `Medians of ${trials}; each time includes starting nft (here through ip netns exec: an empty nft run took ${fmt(median(emptyRuns), 1)} ms). Failed check to rule change (the daemon's log, check result to nft done), ${trials} failures of one server of three: median ${fmt(median(failures), 1)} ms, max ${fmt(Math.max(...failures), 1)} ms.`,
    );
    data['emptyNftMs'] = emptyRuns;
    for (const child of servers) child.kill('SIGKILL');
  } finally {
    await lab.destroy();
  }
  return { name: 'lb', title: `Load balancer on nftables (load average ${load.toFixed(2)} at the start)`, text: sections.join('\n'), data };
}
