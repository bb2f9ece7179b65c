// The LVS-NAT layout in namespaces: clients on one segment (br0, 192.0.2.0/24), two directors
// running vrrpd with a sync group holding the service VIP on that segment and the gateway VIP on
// the servers' segment (br1, 198.51.100.0/24), real servers answering HTTP with their own name,
// whose default route is the gateway VIP. Everything is removed by the lab's destroy().
import { execFile, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { VirtualServerConfig, VirtualServerGroupConfig } from '../../src/config/virtual-server.js';
import type { VirtualServerStatus } from '../../src/daemon/lb/status.js';
import { repoRoot } from '../../bench/lib/root.js';
import { NamespaceLab, type LabHost } from './netns.js';
import { removeScratchDir, scratchDir } from './scratch.js';

// The repository's root also when this runs compiled under bench/.build.
const root = repoRoot();
const execFileAsync = promisify(execFile);

export const SERVICE_VIP = '192.0.2.100';
export const GATEWAY_VIP = '198.51.100.1';
export const REAL_SERVERS = ['198.51.100.11', '198.51.100.12', '198.51.100.13'] as const;
export const SORRY_SERVER = '198.51.100.99';

export interface Director {
  readonly host: LabHost;
  readonly process: ChildProcess;
  readonly lines: string[];
  readonly exited: Promise<number | null>;
  readonly controlSocket: string;
}

export interface NatLab {
  readonly lab: NamespaceLab;
  readonly clients: readonly LabHost[];
  readonly directors: readonly LabHost[];
  /** Each director's eth1 port on the servers' switch, to cut its link. */
  readonly directorServerPorts: readonly string[];
  readonly realServers: readonly LabHost[];
  readonly sorry: LabHost;
  readonly scratch: string;
  destroy(): Promise<void>;
}

export async function createNatLab(): Promise<NatLab> {
  const lab = await NamespaceLab.create();
  const scratch = scratchDir('lb');
  try {
    const clients = [await lab.addHost('c1', ['192.0.2.10/24']), await lab.addHost('c2', ['192.0.2.20/24'])];
    const directors: LabHost[] = [];
    const directorServerPorts: string[] = [];
    for (const [index, name] of ['d1', 'd2'].entries()) {
      const host = await lab.addHost(name, [`192.0.2.${2 + index}/24`]);
      directorServerPorts.push(await lab.addInterface(host, 'eth1', [`198.51.100.${2 + index}/24`]));
      await host.exec('sysctl', ['-qw', 'net.ipv4.ip_forward=1']);
      directors.push(host);
    }
    const realServers: LabHost[] = [];
    for (const [index, address] of REAL_SERVERS.entries()) {
      const host = await lab.addHost(`rs${index + 1}`);
      await lab.addInterface(host, 'eth1', [`${address}/24`]);
      await host.ip('route', 'add', 'default', 'via', GATEWAY_VIP);
      realServers.push(host);
    }
    const sorry = await lab.addHost('sorry');
    await lab.addInterface(sorry, 'eth1', [`${SORRY_SERVER}/24`]);
    await sorry.ip('route', 'add', 'default', 'via', GATEWAY_VIP);
    return {
      lab,
      clients,
      directors,
      directorServerPorts,
      realServers,
      sorry,
      scratch,
      destroy: async () => {
        await lab.destroy();
        removeScratchDir(scratch);
      },
    };
  } catch (error) {
    await lab.destroy();
    removeScratchDir(scratch);
    throw error;
  }
}

/** A small HTTP server answering every request with `name`, on `port` (a child of the host). */
export function httpServer(host: LabHost, name: string, port = 80): ChildProcess {
  // /slow answers after 20 s: a connection that stays open.
  const script = `require('http').createServer((q, s) => { s.setHeader('connection', 'close'); if (q.url.startsWith('/slow')) setTimeout(() => s.end(${JSON.stringify(name)}), 20000); else s.end(${JSON.stringify(name)}); }).listen(${port}, () => console.log('listening'));`;
  return host.spawn('node', ['-e', script]);
}

/** Resolves once the server prints that it listens. */
export function listening(server: ChildProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    server.stdout?.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('listening')) resolve();
    });
    server.once('exit', (code) => reject(new Error(`the HTTP server exited (${code})`)));
  });
}

/** The VRRP part of a director: a sync group of the service VIP (eth0) and the gateway VIP (eth1). */
export function directorVrrp(priority: number, advertInterval = 1): string {
  const instance = (name: string, device: string, vrid: number, vip: string): string =>
    [`vrrp_instance ${name} {`, `  interface ${device}`, `  virtual_router_id ${vrid}`, `  priority ${priority}`, `  advert_int ${advertInterval}`, '  version 3', '  virtual_ipaddress {', `    ${vip}`, '  }', '}', ''].join('\n');
  return ['vrrp_sync_group LVS {', '  group {', '    VI_SERVICE', '    VI_GATEWAY', '  }', '}', instance('VI_SERVICE', 'eth0', 51, `${SERVICE_VIP}/24`), instance('VI_GATEWAY', 'eth1', 52, `${GATEWAY_VIP}/24`)].join('\n');
}

let directorCounter = 0;

/** Starts vrrpd on a director with this VRRP configuration and these virtual servers. */
export function startDirector(lab: NatLab, host: LabHost, vrrp: string, virtualServers: readonly VirtualServerConfig[], virtualServerGroups: readonly VirtualServerGroupConfig[] = []): Director {
  const n = ++directorCounter;
  const conf = join(lab.scratch, `${host.name}-${n}.conf`);
  const json = join(lab.scratch, `${host.name}-${n}.json`);
  const controlSocket = join(lab.scratch, `${host.name}-${n}.sock`);
  writeFileSync(conf, vrrp);
  writeFileSync(json, JSON.stringify({ virtualServers, virtualServerGroups }));
  const child = host.spawn('node', [join(root, 'test', 'helpers', 'lb-run.mjs'), conf, json, controlSocket]);
  const lines: string[] = [];
  const take = (chunk: Buffer): void => void lines.push(...chunk.toString().split('\n').filter(Boolean));
  child.stdout?.on('data', take);
  child.stderr?.on('data', take);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { host, process: child, lines, exited, controlSocket };
}

/** Starts vrrpd on a director with a keepalived.conf of its own (`vrrpd run -f CONF`). */
export function runDirector(host: LabHost, conf: string, controlSocket: string, extraArgs: readonly string[] = []): Director {
  const child = host.spawn('node', [join(root, 'bin', 'vrrpd'), 'run', '-f', conf, '--control-socket', controlSocket, ...extraArgs]);
  const lines: string[] = [];
  const take = (chunk: Buffer): void => void lines.push(...chunk.toString().split('\n').filter(Boolean));
  child.stdout?.on('data', take);
  child.stderr?.on('data', take);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { host, process: child, lines, exited, controlSocket };
}

/** `vrrpd status --json`'s virtual servers. */
export async function virtualServers(director: Director): Promise<VirtualServerStatus[]> {
  const { stdout } = await execFileAsync('node', [join(root, 'bin', 'vrrpd'), 'status', '--json', '--control-socket', director.controlSocket]);
  return (JSON.parse(stdout) as { virtualServers?: VirtualServerStatus[] }).virtualServers ?? [];
}

export interface Responses {
  /** The answering server's name per request, '' for a request that failed. */
  readonly answers: readonly string[];
  /** Requests per answering name. */
  readonly counts: Readonly<Record<string, number>>;
  readonly failures: number;
}

/**
 * `count` HTTP requests from `client`, one after another, each on a new connection (curl with
 * `Connection: close`, one process for all of them); `curlArgs` adds to curl's (`--cacert`).
 */
export async function requests(client: LabHost, url: string, count: number, timeoutS = 2, curlArgs: readonly string[] = []): Promise<Responses> {
  const args = ['netns', 'exec', client.netns, 'curl', '-s', '-m', String(timeoutS), ...curlArgs, '-H', 'Connection: close', '-w', ' %{http_code}\\n', `${url}?[1-${count}]`];
  // curl exits non-zero when a request failed; its output still has a line per request.
  const stdout = await execFileAsync('ip', args, { maxBuffer: 16 * 1024 * 1024 }).then(
    (result) => result.stdout,
    (error: { stdout?: string }) => error.stdout ?? '',
  );
  const answers = stdout
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => (line.endsWith(' 200') ? line.slice(0, -4) : ''));
  const counts: Record<string, number> = {};
  for (const answer of answers) if (answer !== '') counts[answer] = (counts[answer] ?? 0) + 1;
  return { answers, counts, failures: answers.filter((answer) => answer === '').length + Math.max(0, count - answers.length) };
}

/**
 * A TCP virtual_server on ADDRESS:PORT as keepalived defaults it (rr, NAT, no flags, no alpha/omega,
 * no inhibit, no ha_suspend, no warmup), with what each test sets itself in `settings`.
 */
export function tcpVirtualServer(address: string, port: number, settings: Pick<VirtualServerConfig, 'delayLoopMs' | 'realServers'> & Partial<VirtualServerConfig>): VirtualServerConfig {
  return {
    target: { kind: 'address', family: 'ipv4', address, port },
    protocol: 'TCP',
    scheduler: 'rr',
    method: 'NAT',
    flags: [],
    alpha: false,
    omega: false,
    inhibitOnFailure: false,
    haSuspend: false,
    warmupMs: 0,
    ...settings,
  };
}

/** A MISC_CHECK that fetches the real server's page. */
export function curlCheck(address: string, timeoutS = 2): { type: 'MISC_CHECK'; path: string; dynamic: false; timeoutMs: number } {
  // misc_timeout above curl's own: on a loaded machine starting curl alone can take a second.
  return { type: 'MISC_CHECK', path: `/usr/bin/curl -sf -o /dev/null -m ${timeoutS} http://${address}/`, dynamic: false, timeoutMs: (timeoutS + 3) * 1000 };
}
