// The HTTP health probes of a real vrrpd in a namespace lab, as a kubelet's httpGet probes see
// them: on --health and beside /metrics on --metrics, liveness and readiness answer 200 once it
// runs; with its control socket gone, liveness fails (503, with the reason) while readiness holds.
// And the probes the Kubernetes manifests declare succeed against vrrpd started with their args.
import { execFileSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { holds, instanceConfig, waitFor } from '../helpers/daemons.js';
import { httpGet as get } from '../helpers/http-get.js';
import { isRoot, NamespaceLab, sweepStaleLabs } from '../helpers/netns.js';
import { scratchDir } from '../helpers/scratch.js';

const vrrpd = join(import.meta.dirname, '..', '..', 'bin', 'vrrpd');
let lab: NamespaceLab | undefined;
afterEach(async () => {
  await lab?.destroy();
  lab = undefined;
});

describe.skipIf(!isRoot())('HTTP health probes (needs root)', () => {
  test('/livez, /healthz, /readyz on --health and on --metrics; liveness fails when the control socket is gone', { timeout: 60_000 }, async () => {
    await sweepStaleLabs();
    lab = await NamespaceLab.create();
    const a = await lab.addHost('a', ['192.0.2.1/24']);
    const dir = scratchDir('health');
    const config = join(dir, 'keepalived.conf');
    const socket = join(dir, 'vrrpd.sock');
    writeFileSync(config, instanceConfig({ priority: 150, version: 3, vip: '192.0.2.100/24' }));
    const child = a.spawn('node', [vrrpd, 'run', '-f', config, '--control-socket', socket, '--health', '127.0.0.1:9651', '--metrics', '127.0.0.1:9650']);
    const lines: string[] = [];
    for (const stream of [child.stdout, child.stderr]) stream?.on('data', (chunk: Buffer) => lines.push(...chunk.toString().split('\n').filter(Boolean)));
    await waitFor('vrrpd to hold the VIP', () => holds(a, '192.0.2.100'), 20_000).catch((error: Error) => {
      throw new Error(`${error.message}; vrrpd said: ${lines.join('\n')}`);
    });
    const started = lines.map((line) => JSON.parse(line) as Record<string, unknown>).find((record) => record['event'] === 'started');
    expect(started).toMatchObject({ health: { host: '127.0.0.1', port: 9651 }, metrics: { host: '127.0.0.1', port: 9650 } });

    const live = { status: 200, body: { status: 'ok', phase: 'running', checks: { eventLoop: 'ok', controlSocket: 'ok' } } };
    const ready = { status: 200, body: { status: 'ok', phase: 'running', checks: { configuration: 'ok' } } };
    for (const port of [9651, 9650]) {
      expect(await get(a, `http://127.0.0.1:${port}/livez`)).toEqual(live);
      expect(await get(a, `http://127.0.0.1:${port}/healthz`)).toEqual(live);
      expect(await get(a, `http://127.0.0.1:${port}/readyz`)).toEqual(ready);
    }
    expect(await get(a, 'http://127.0.0.1:9651/metrics')).toEqual({ status: 404, body: 'vrrpd serves /livez, /healthz, /readyz only\n' });
    expect((await get(a, 'http://127.0.0.1:9650/metrics')).body).toMatch(/^keepalived_vrrp_state\{iname="VI_1",.*\} 2$/m);

    // The socket file removed (a cleaner, a second vrrpd on the same path): `vrrpd status` and
    // `vrrpd reload` can no longer reach this daemon, and liveness says so.
    rmSync(socket);
    expect(await get(a, 'http://127.0.0.1:9651/livez')).toEqual({
      status: 503,
      body: { status: 'failed', phase: 'running', checks: { eventLoop: 'ok', controlSocket: `no answer: vrrpd is not running (no control socket at ${socket})` } },
    });
    expect(await get(a, 'http://127.0.0.1:9651/readyz')).toEqual(ready);
  });

  test('the manifests\' httpGet probes succeed against vrrpd run with the manifests\' args', { timeout: 90_000 }, async () => {
    await sweepStaleLabs();
    lab = await NamespaceLab.create();
    const dir = scratchDir('health-manifest');
    const config = join(dir, 'keepalived.conf');
    writeFileSync(config, instanceConfig({ priority: 150, version: 3, vip: '192.0.2.100/24' }));
    for (const [index, file] of ['static-pod.yaml', 'daemonset.yaml'].entries()) {
      const host = await lab.addHost(`h${index}`, [`192.0.2.${index + 1}/24`]);
      const container = manifestContainer(file);
      // The node's paths become the test's; everything else as shipped.
      const args = container.args.map((arg) => (arg === '/etc/keepalived/keepalived.conf' ? config : arg === '/run/vrrpd/vrrpd.sock' ? join(dir, `${index}.sock`) : arg === '$(NODE_NAME)' ? 'node-a' : arg));
      host.spawn('node', [vrrpd, ...args]);
      await waitFor(`vrrpd of ${file} to hold the VIP`, () => holds(host, '192.0.2.100'), 20_000);
      for (const probe of [container.livenessProbe, container.readinessProbe]) {
        const { host: address, port, path } = probe.httpGet;
        expect(await get(host, `http://${address}:${port}${path}`), `${file} ${path}`).toMatchObject({ status: 200, body: { status: 'ok', phase: 'running' } });
      }
      host.killAll('SIGTERM');
    }
  });
});

interface Container {
  readonly args: string[];
  readonly livenessProbe: { readonly httpGet: { readonly host: string; readonly port: number; readonly path: string } };
  readonly readinessProbe: Container['livenessProbe'];
}

/** The one container of a manifest in deploy/kubernetes (PyYAML reads it). */
function manifestContainer(file: string): Container {
  const script = 'import sys, json, yaml; print(json.dumps(yaml.safe_load(open(sys.argv[1]))))';
  const manifest = JSON.parse(execFileSync('python3', ['-c', script, join(import.meta.dirname, '..', '..', 'deploy', 'kubernetes', file)], { encoding: 'utf8' })) as {
    spec: { containers?: Container[]; template?: { spec: { containers: Container[] } } };
  };
  const containers = manifest.spec.containers ?? manifest.spec.template?.spec.containers ?? [];
  return containers[0]!;
}
