// TCP_CHECK against real sockets in namespaces: a listening server passes, a closed port fails
// with the kernel's refusal (retried as keepalived retries: retry 1 makes two attempts, except on
// a checker's first run), an address nobody answers fails at connect_timeout, and connect_ip /
// connect_port / bindto are where the connection goes and comes from.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { isRoot, NamespaceLab, type LabHost } from '../helpers/netns.js';

const root = join(import.meta.dirname, '..', '..');

interface Outcome {
  readonly ok: boolean;
  readonly detail: string;
}

describe.skipIf(!isRoot())('TCP_CHECK (needs root)', () => {
  let lab: NamespaceLab;
  let client: LabHost;
  let server: LabHost;

  /** Runs TCP_CHECK from the client's namespace with the built code, as the daemon does. */
  async function check(rs: { address: string; port: number }, config: Record<string, unknown>, first: boolean): Promise<Outcome> {
    const script = `
      const { tcpCheck } = await import(${JSON.stringify(join(root, 'dist', 'linux', 'lb-tcp-check.js'))});
      const { RealClock } = await import(${JSON.stringify(join(root, 'dist', 'linux', 'real-clock.js'))});
      const rs = { key: '[${rs.address}]:tcp:${rs.port}', family: 'ipv4', address: '${rs.address}', port: ${rs.port}, method: 'NAT', weight: 1, inhibitOnFailure: false, checkers: [] };
      const checker = { id: 'TCP_CHECK', config: { type: 'TCP_CHECK', ...${JSON.stringify(config)} }, delayLoopMs: 1000, retry: 1, delayBeforeRetryMs: 100, warmupMs: 0, connectTimeoutMs: 1000, alpha: false };
      const outcome = await tcpCheck(rs, checker, new RealClock()).run(new AbortController().signal, ${first});
      console.log(JSON.stringify(outcome));
      process.exit(0);`;
    const { stdout } = await client.exec('node', ['--input-type=module', '-e', script]);
    return JSON.parse(stdout.trim().split('\n').at(-1)!) as Outcome;
  }

  beforeAll(async () => {
    lab = await NamespaceLab.create();
    client = await lab.addHost('c', ['192.0.2.10/24', '192.0.2.11/24']);
    server = await lab.addHost('s', ['192.0.2.20/24']);
    // Accepts on port 80 and prints each peer's address.
    const listener = server.spawn('node', ['-e', "require('net').createServer((c) => { console.log(c.remoteAddress); c.destroy(); }).listen(80, '0.0.0.0', () => console.log('listening'))"]);
    const peers: string[] = [];
    await new Promise<void>((resolve, reject) => {
      listener.stdout?.on('data', (chunk: Buffer) => {
        for (const line of chunk.toString().split('\n').filter(Boolean)) {
          if (line === 'listening') resolve();
          else peers.push(line);
        }
      });
      listener.once('exit', (code) => reject(new Error(`the listener exited (${code})`)));
    });
    serverPeers = peers;
  }, 60_000);

  let serverPeers: string[] = [];

  afterAll(async () => {
    await lab?.destroy();
  });

  test('a listening server passes', async () => {
    expect(await check({ address: '192.0.2.20', port: 80 }, {}, false)).toEqual({ ok: true, detail: 'TCP connection to 192.0.2.20:80 established' });
  }, 30_000);

  test('a closed port fails with the refusal, after retry + 1 attempts; on the first run after one', async () => {
    expect(await check({ address: '192.0.2.20', port: 81 }, {}, false)).toEqual({ ok: false, detail: 'TCP connection to 192.0.2.20:81 failed: ECONNREFUSED (after 2 attempts)' });
    expect(await check({ address: '192.0.2.20', port: 81 }, {}, true)).toEqual({ ok: false, detail: 'TCP connection to 192.0.2.20:81 failed: ECONNREFUSED' });
  }, 30_000);

  test('an address nobody answers fails at connect_timeout', async () => {
    expect(await check({ address: '192.0.2.30', port: 80 }, {}, true)).toEqual({ ok: false, detail: 'TCP connection to 192.0.2.30:80 timed out after 1000 ms' });
  }, 30_000);

  test('connect_ip and connect_port replace the real server\'s; bindto is the source', async () => {
    expect(await check({ address: '192.0.2.30', port: 81 }, { connectIp: '192.0.2.20', connectPort: 80, bindTo: '192.0.2.11' }, true)).toMatchObject({ ok: true });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(serverPeers.at(-1)).toBe('192.0.2.11');
  }, 30_000);

  test('a fwmark real server without a port needs connect_port', async () => {
    expect(await check({ address: '192.0.2.20', port: 0 }, {}, true)).toEqual({ ok: false, detail: 'TCP_CHECK of [192.0.2.20]:tcp:0 has no port to connect to: give connect_port' });
  }, 30_000);
});
