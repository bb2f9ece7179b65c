// The Kubernetes manifests and the image's Dockerfile, checked as far as this machine can (no
// Docker, no cluster): the YAML parses (PyYAML, through python3), and what vrrpd needs is there
// and consistent: host network, NET_ADMIN and NET_RAW only, the probes are HTTP GETs of the health
// endpoints the daemon is told to serve, the configuration file `vrrpd run -f` reads is the one
// mounted, the static pod needs nothing from the API, and the example configuration passes
// `vrrpd check` on each node.
import { execFile, execFileSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, test } from 'vitest';
import { CONTROL_PING_TIMEOUT_MS, HEALTH_PATHS } from '../../src/daemon/operations/health.js';
import { parseListenAddress } from '../../src/daemon/operations/listen-address.js';
import { scratchDir } from '../helpers/scratch.js';

const root = join(import.meta.dirname, '..', '..');
const manifests = join(root, 'deploy', 'kubernetes');
const vrrpd = join(root, 'bin', 'vrrpd');
const dir = scratchDir('k8s');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Parsed YAML: structure is what the assertions check. */
type Json = Record<string, any>;

function loadYaml(file: string): Json[] {
  const script = 'import sys, json, yaml; print(json.dumps(list(yaml.safe_load_all(open(sys.argv[1])))))';
  return JSON.parse(execFileSync('python3', ['-c', script, join(manifests, file)], { encoding: 'utf8' })) as Json[];
}

function only(file: string): Json {
  const documents = loadYaml(file);
  expect(documents).toHaveLength(1);
  return documents[0] as Json;
}

/** The value after `flag` in a container's args. */
function argument(container: Json, flag: string): string | undefined {
  const args = container['args'] as string[];
  const index = args.indexOf(flag);
  return index < 0 ? undefined : args[index + 1];
}

/** The volume and in-volume path that provide `file` inside the container. */
function mountedAt(podSpec: Json, container: Json, file: string): { volume: Json; subPath: string } {
  const mounts = (container['volumeMounts'] as Json[]).filter((mount) => file === mount['mountPath'] || file.startsWith(`${mount['mountPath']}/`));
  expect(mounts).toHaveLength(1);
  const mount = mounts[0] as Json;
  const volume = (podSpec['volumes'] as Json[]).find((candidate) => candidate['name'] === mount['name']) as Json;
  expect(volume).toBeDefined();
  return { volume, subPath: file.slice(String(mount['mountPath']).length).replace(/^\//, '') };
}

function expectCommonContainer(podSpec: Json): Json {
  expect(podSpec['hostNetwork']).toBe(true);
  expect(podSpec['terminationGracePeriodSeconds']).toBeGreaterThanOrEqual(5);
  const containers = podSpec['containers'] as Json[];
  expect(containers).toHaveLength(1);
  const container = containers[0] as Json;
  expect(container['args'].slice(0, 1)).toEqual(['run']);
  expect(argument(container, '-f')).toBe('/etc/keepalived/keepalived.conf');
  expect(container['securityContext']['capabilities']).toEqual({ drop: ['ALL'], add: ['NET_ADMIN', 'NET_RAW'] });
  expect(container['securityContext']['privileged']).toBeUndefined();
  // The probes are HTTP GETs the running daemon answers (no process per probe), at the address it
  // was told to serve them on, on the paths it serves; the control socket it pings is the pod's.
  const health = argument(container, '--health');
  expect(health).toBe('127.0.0.1:9651');
  const { host, port } = parseListenAddress(String(health));
  expect(container['livenessProbe']['httpGet']).toEqual({ host, port, path: HEALTH_PATHS.live });
  expect(container['readinessProbe']['httpGet']).toEqual({ host, port, path: HEALTH_PATHS.ready });
  for (const probe of [container['livenessProbe'], container['readinessProbe']]) {
    expect(probe['exec']).toBeUndefined();
    expect(probe['periodSeconds']).toBe(10);
    // vrrpd's own ping of its control socket gives up sooner: the probe gets its 503, not a timeout.
    expect((probe['timeoutSeconds'] ?? 1) * 1000).toBeGreaterThan(CONTROL_PING_TIMEOUT_MS);
  }
  const socket = argument(container, '--control-socket');
  expect(socket).toBe('/run/vrrpd/vrrpd.sock');
  expect(mountedAt(podSpec, container, String(socket)).volume['emptyDir']).toBeDefined();
  // A read-only root filesystem, but keepalived-format dumps (/tmp/keepalived.data) still work.
  expect(container['securityContext']['readOnlyRootFilesystem']).toBe(true);
  expect(mountedAt(podSpec, container, '/tmp/keepalived.data').volume['emptyDir']).toBeDefined();
  return container;
}

describe('deploy/kubernetes', () => {
  test('DaemonSet: host network, two capabilities, probe, the ConfigMap mounted where vrrpd run -f reads, config id = node name', () => {
    const daemonSet = only('daemonset.yaml');
    expect(daemonSet['kind']).toBe('DaemonSet');
    const podSpec = daemonSet['spec']['template']['spec'] as Json;
    const container = expectCommonContainer(podSpec);
    const { volume, subPath } = mountedAt(podSpec, container, '/etc/keepalived/keepalived.conf');
    expect(volume['configMap']['name']).toBe(only('configmap.yaml')['metadata']['name']);
    expect(volume['configMap']['items']).toEqual([{ key: 'keepalived.conf', path: subPath }]);
    expect(argument(container, '--config-id')).toBe('$(NODE_NAME)');
    expect(container['env']).toEqual([{ name: 'NODE_NAME', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } }]);
    expect(daemonSet['spec']['updateStrategy']['rollingUpdate']['maxUnavailable']).toBe(1);
  });

  test('static pod: the same container, configuration from the node, nothing from the Kubernetes API', () => {
    const pod = only('static-pod.yaml');
    expect(pod['kind']).toBe('Pod');
    const podSpec = pod['spec'] as Json;
    const container = expectCommonContainer(podSpec);
    const { volume, subPath } = mountedAt(podSpec, container, '/etc/keepalived/keepalived.conf');
    expect(volume['hostPath']).toEqual({ path: '/etc/keepalived/keepalived.conf', type: 'File' });
    expect(subPath).toBe('');
    for (const each of podSpec['volumes'] as Json[]) {
      expect(Object.keys(each).filter((key) => ['configMap', 'secret', 'projected', 'downwardAPI'].includes(key))).toEqual([]);
    }
    expect(podSpec['automountServiceAccountToken']).toBe(false);
    expect(container['env']).toBeUndefined();
  });

  test('the example ConfigMap is a keepalived.conf that vrrpd check accepts on every node', async () => {
    const config = only('configmap.yaml')['data']['keepalived.conf'] as string;
    const file = join(dir, 'keepalived.conf');
    writeFileSync(file, config);
    for (const node of ['node-a', 'node-b']) {
      const { stdout } = await promisify(execFile)(vrrpd, ['check', '--offline', '-f', file, '-i', node]);
      expect(stdout).toBe(`${file}: OK, 1 vrrp_instance\n`);
    }
  });

  // The image itself is built and run in kube-play.test.ts, on a stand-in base; what only a
  // registry would exercise is checked here: the default base and the stages built on it.
  test('Dockerfile: node:20-slim by default, the release built in a stage of its own, the runtime stage with tini as PID 1 passing SIGTERM to vrrpd', () => {
    const dockerfile = readFileSync(join(root, 'Dockerfile'), 'utf8');
    expect(dockerfile).toMatch(/^ARG BASE=docker\.io\/library\/node:20-slim$/m);
    const from = [...dockerfile.matchAll(/^FROM (.+)$/gm)].map((match) => match[1]);
    expect(from).toEqual(['${BASE} AS release', '${BASE} AS runtime', 'runtime']);
    expect(dockerfile).toMatch(/scripts\/release \/release/);
    expect(dockerfile).toMatch(/npm install -g --offline/);
    expect(dockerfile).toMatch(/DEBIAN_FRONTEND=noninteractive/);
    expect(dockerfile).toContain('ENTRYPOINT ["/usr/bin/tini", "--", "vrrpd"]');
    // The load balancer's virtual servers reach nftables through the nft tool.
    expect(dockerfile).toMatch(/apt-get install -y --no-install-recommends [^\n]*\bnftables\b/);
  });
});
