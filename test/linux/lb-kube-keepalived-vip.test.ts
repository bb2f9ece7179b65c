// kube-keepalived-vip's keepalived.conf, unchanged, run by `vrrpd run -f` on a director in the
// LVS-NAT layout (test/helpers/lb-lab.ts): it takes the VIP, checks the endpoints with TCP_CHECK
// and serves curl's requests through wlc with persistence_timeout 1800 (a client stays on one
// endpoint). Then what vrrpd's nftables table promises an operator: vrrpd changes no other table;
// after a SIGKILL its stale table is still there (and still forwarding) and the next start
// replaces it whole in one transaction; a clean stop removes it and nothing else. And what
// kube-keepalived-vip does when a Service's endpoints change: it rewrites the file and sends
// SIGHUP; the clients of an endpoint that left go to another, with no request failing.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { holds, waitFor } from '../helpers/daemons.js';
import { KUBE_KEEPALIVED_VIP, kubeKeepalivedVip } from '../helpers/kube-keepalived-vip.js';
import { createNatLab, GATEWAY_VIP, httpServer, listening, requests, SERVICE_VIP, virtualServers, type Director, type NatLab } from '../helpers/lb-lab.js';
import { isRoot, type LabHost } from '../helpers/netns.js';

const root = join(import.meta.dirname, '..', '..');
const OPERATOR_TABLE = ['add table inet operator', 'add chain inet operator input { type filter hook input priority 10 ; }', 'add rule inet operator input tcp dport 22 counter accept'].join('\n');

describe.skipIf(!isRoot())("kube-keepalived-vip's configuration (needs root)", () => {
  let lab: NatLab;
  let d1: LabHost;
  let conf: string;
  const running: ChildProcess[] = [];
  let starts = 0;

  function start(...extra: string[]): Director {
    const controlSocket = join(lab.scratch, `d1-${++starts}.sock`);
    const child = d1.spawn('node', [join(root, 'bin', 'vrrpd'), 'run', '-f', conf, '--control-socket', controlSocket, '--log-level', 'debug', ...extra]);
    running.push(child);
    const lines: string[] = [];
    const take = (chunk: Buffer): void => void lines.push(...chunk.toString().split('\n').filter(Boolean));
    child.stdout?.on('data', take);
    child.stderr?.on('data', take);
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    return { host: d1, process: child, lines, exited, controlSocket };
  }

  async function tables(): Promise<string[]> {
    return (await d1.exec('nft', ['list', 'tables'])).stdout.split('\n').filter(Boolean).sort();
  }

  async function serving(director: Director): Promise<void> {
    await waitFor('d1 to hold the VIP', () => holds(d1, SERVICE_VIP), 30_000);
    // The control socket comes once vrrpd has started (a SIGKILLed run left the VIP: d1 holds it at once).
    const checked = async (): Promise<boolean> => (await virtualServers(director)).every((vs) => vs.realServers.every((rs) => rs.checkers.every((c) => c.runs > 0 && c.state === 'up')));
    await waitFor('every TCP_CHECK to have passed', () => checked().catch(() => false), 30_000);
  }

  beforeAll(async () => {
    lab = await createNatLab();
    d1 = lab.directors[0]!;
    // The endpoints' replies go back through the director (LVS-NAT): the lab gives d1 their
    // gateway address; kube-keepalived-vip's configuration has one VRRP instance, for the VIP.
    await d1.ip('addr', 'add', `${GATEWAY_VIP}/24`, 'dev', 'eth1');
    for (const [index, host] of lab.realServers.entries()) await listening(httpServer(host, `rs${index + 1}`, 8080));
    conf = join(lab.scratch, 'keepalived.conf');
    writeFileSync(conf, KUBE_KEEPALIVED_VIP);
    const operatorRules = join(lab.scratch, 'operator.nft');
    writeFileSync(operatorRules, OPERATOR_TABLE + '\n');
    await d1.exec('nft', ['-f', operatorRules]);
  }, 120_000);

  afterAll(async () => {
    for (const child of running) child.kill('SIGKILL');
    await lab?.destroy();
  });

  test('it runs unchanged: the VIP, TCP_CHECK on every endpoint, requests served with persistence, counted in the keepalived exporter\'s metrics', async () => {
    const director = start('--metrics', '127.0.0.1:9650');
    try {
      await serving(director);
      const [vs] = await virtualServers(director);
      expect(vs).toMatchObject({ key: `[${SERVICE_VIP}]:tcp:80`, scheduler: 'wlc', method: 'NAT' });
      expect(vs!.realServers.map((rs) => [rs.key, rs.inService, rs.checkers.map((c) => c.id)])).toEqual([
        ['[198.51.100.11]:tcp:8080', true, ['TCP_CHECK']],
        ['[198.51.100.12]:tcp:8080', true, ['TCP_CHECK']],
        ['[198.51.100.13]:tcp:8080', true, ['TCP_CHECK']],
      ]);
      for (const client of lab.clients) {
        const answered = await requests(client, `http://${SERVICE_VIP}:80/`, 30);
        console.log(`${client.name}: ${JSON.stringify(answered.counts)}, ${answered.failures} failed`);
        expect(answered.failures).toBe(0);
        // persistence_timeout 1800: every request of a client to one endpoint.
        expect(Object.values(answered.counts)).toEqual([30]);
      }
      expect(await tables()).toEqual(['table inet operator', 'table inet vrrpd_lb']);
      // The 60 connections in keepalived_lvs_* (from vrrpd's nftables counters, read every few seconds).
      const metric = (text: string, pattern: RegExp): number[] => text.split('\n').filter((line) => pattern.test(line)).map((line) => Number(line.split(' ').at(-1)));
      let text = '';
      await waitFor('the metrics to count the 60 connections', async () => metric((text = (await d1.exec('curl', ['-s', 'http://127.0.0.1:9650/metrics'])).stdout), /^keepalived_lvs_vip_conn\{/)[0] === 60, 20_000);
      console.log(text.split('\n').filter((line) => /^keepalived_lvs_(vip|rs)_conn\{/.test(line)).join('\n'));
      expect(metric(text, /^keepalived_lvs_rs_conn\{/).reduce((sum, count) => sum + count, 0)).toBe(60);
      // Each connection is at least 4 client packets (SYN, ACK, the request, FIN) to its server.
      const conns = metric(text, /^keepalived_lvs_rs_conn\{/);
      const packets = metric(text, /^keepalived_lvs_rs_in_packets\{/);
      expect(packets.map((count, index) => count >= 4 * conns[index]! && (conns[index] === 0) === (count === 0))).toEqual([true, true, true]);
    } finally {
      director.process.kill('SIGKILL');
      await director.exited;
    }
  }, 120_000);

  test('after SIGKILL the stale table stays and forwards; the next start replaces it whole; a stop removes it and nothing else', async () => {
    // The SIGKILLed run of the previous test left its table (its address too).
    expect(await tables()).toEqual(['table inet operator', 'table inet vrrpd_lb']);
    // A mark on the stale table: a start that kept the table instead of replacing it would keep it.
    await d1.exec('nft', ['add', 'chain', 'inet', 'vrrpd_lb', 'stale_marker']);
    const staleServed = await requests(lab.clients[0]!, `http://${SERVICE_VIP}:80/`, 5);
    expect(staleServed.failures).toBe(0);

    const director = start();
    try {
      await serving(director);
      const listed = (await d1.exec('nft', ['list', 'table', 'inet', 'vrrpd_lb'])).stdout;
      expect(listed).not.toContain('stale_marker');
      expect(listed).toContain(`tcp . ${SERVICE_VIP} . 80 : jump`);
      expect(await tables()).toEqual(['table inet operator', 'table inet vrrpd_lb']);
      const served = await requests(lab.clients[1]!, `http://${SERVICE_VIP}:80/`, 10);
      expect(served.failures).toBe(0);
      expect(director.lines.some((line) => line.includes('"event":"lb-started"'))).toBe(true);
    } finally {
      director.process.kill('SIGTERM');
      await director.exited;
    }
    expect(await tables()).toEqual(['table inet operator']);
    expect((await d1.exec('nft', ['list', 'table', 'inet', 'operator'])).stdout).toContain('tcp dport 22 counter');
  }, 120_000);

  test('endpoints change (the file rewritten, SIGHUP): a departed endpoint\'s client moves to another without a failed request; one added takes its place in rotation; none left stops the load balancer and removes its table', async () => {
    const director = start();
    try {
      await serving(director);
      const client = lab.clients[0]!;
      const before = await requests(client, `http://${SERVICE_VIP}:80/`, 5);
      const [stuck] = Object.keys(before.counts);
      expect(before.failures).toBe(0);
      const departed = `198.51.100.1${stuck!.slice(2)}`;
      const remaining = ['198.51.100.11', '198.51.100.12', '198.51.100.13'].filter((address) => address !== departed);
      writeFileSync(conf, kubeKeepalivedVip(remaining));
      director.process.kill('SIGHUP');
      const servers = async (): Promise<string[]> => ((await virtualServers(director))[0]?.realServers ?? []).map((rs) => rs.key);
      await waitFor('the reload to take the endpoint out', async () => (await servers()).length === 2, 20_000);
      expect(await servers()).toEqual(remaining.map((address) => `[${address}]:tcp:8080`));
      // The status shows the pool's decision; the table follows in its own nft transaction.
      const table = async (): Promise<string> => (await d1.exec('nft', ['list', 'table', 'inet', 'vrrpd_lb'])).stdout;
      await waitFor('the table to stop forwarding to the departed endpoint', async () => !(await table()).includes(`${departed} . 8080`), 20_000);
      const after = await requests(client, `http://${SERVICE_VIP}:80/`, 10);
      console.log(`${client.name} was on ${stuck} (${departed}); after it left: ${JSON.stringify(after.counts)}, ${after.failures} failed`);
      expect(after.failures).toBe(0);
      expect(after.counts[stuck!]).toBeUndefined();
      // Persistence again: every request to the one endpoint it moved to.
      expect(Object.values(after.counts)).toEqual([10]);

      writeFileSync(conf, kubeKeepalivedVip());
      director.process.kill('SIGHUP');
      await waitFor('the reload to bring the endpoint back', async () => (await servers()).length === 3, 20_000);
      await waitFor('its TCP_CHECK to have run', async () => ((await virtualServers(director))[0]?.realServers ?? []).every((rs) => rs.inService && rs.checkers.every((c) => c.runs > 0)), 30_000);
      const reloads = director.lines.filter((line) => line.includes('"event":"lb-reloaded"')).map((line) => (JSON.parse(line) as { msg: string }).msg);
      console.log(reloads.join('\n'));
      expect(reloads).toEqual([`load balancer reloaded: updated [${SERVICE_VIP}]:tcp:80 (realServers)`, `load balancer reloaded: updated [${SERVICE_VIP}]:tcp:80 (realServers)`]);

      // No endpoints left (the Service scaled to 0): the virtual server has no real server, which
      // keepalived ignores; with none left the load balancer stops and its table goes. Back: it starts again.
      writeFileSync(conf, kubeKeepalivedVip([]));
      director.process.kill('SIGHUP');
      await waitFor('the load balancer to stop', async () => director.lines.some((line) => line.includes('"event":"subsystem-stopped"')), 20_000);
      expect(await tables()).toEqual(['table inet operator']);
      expect(await holds(d1, SERVICE_VIP)).toBe(true);
      writeFileSync(conf, kubeKeepalivedVip());
      director.process.kill('SIGHUP');
      await waitFor('the load balancer to start again', async () => director.lines.some((line) => line.includes('"event":"subsystem-started"')), 20_000);
      await serving(director);
      expect(await tables()).toEqual(['table inet operator', 'table inet vrrpd_lb']);
      const again = await requests(client, `http://${SERVICE_VIP}:80/`, 5);
      expect(again.failures).toBe(0);
    } finally {
      director.process.kill('SIGTERM');
      await director.exited;
    }
  }, 120_000);
});
