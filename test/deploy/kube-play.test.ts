// The container image run as Kubernetes runs it, here with `podman kube play`: scripts/image
// builds it from the Dockerfile (on these machines from a stand-in for node:20-slim, see the
// script), then deploy/kubernetes/static-pod.yaml runs as shipped, only the image reference and
// the hostPath of the configuration substituted, inside a lab namespace (nsenter --net: the pod's
// host network is the lab's) beside keepalived: election, SIGKILL failover and the restart
// (restartPolicy Always), `podman pod stop` (SIGTERM to tini, PID 1, which passes it to vrrpd, as
// the kubelet stops a pod) handing over with priority 0 within Skew_Time, and the container
// confined as the manifest says. Then the DaemonSet with its ConfigMap, as the pod the DaemonSet
// controller and the kubelet make of its template on a node.
//
// podman here is a private one per run (test/helpers/podman.ts) reading the built image from the
// machine's store; the image stays cached there (scripts/image rebuilds in seconds when nothing
// changed), everything else goes with the run.
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { VERSION } from '../../src/version.js';
import { masterDownInterval, skewTime } from '../../src/vrrp/protocol/timers.js';
import { captureFields, startCapture, type Capture } from '../helpers/capture.js';
import { holds, instanceConfig, startKeepalived, waitFor } from '../helpers/daemons.js';
import { isRoot, NamespaceLab, sweepStaleLabs, type LabHost } from '../helpers/netns.js';
import { havePodman, machineHasImage, PrivatePodman, removeMachineImage, sweepStaleTestImages, testImageReference } from '../helpers/podman.js';
import { httpGet } from '../helpers/http-get.js';
import { runScript } from '../helpers/processes.js';
import { scratchDir } from '../helpers/scratch.js';

const root = join(import.meta.dirname, '..', '..');
const manifests = join(root, 'deploy', 'kubernetes');
const haveKeepalived = spawnSync('keepalived', ['--version'], { stdio: 'ignore' }).status === 0;
const VIP = '192.0.2.100';
const NODE_ADDRESS = '192.0.2.1';
const PEER_ADDRESS = '192.0.2.2';
/** Scheduling slack on a loaded 2-core machine (as in test/linux/interop.test.ts); the protocol bound is the main term. */
const MARGIN_MS = 600;
/** The capabilities the manifests keep: CAP_NET_ADMIN (12) and CAP_NET_RAW (13). */
const NET_ADMIN_AND_NET_RAW = (1n << 12n) | (1n << 13n);

/** Parsed YAML: the manifests' structure is what the code reads. */
type Json = Record<string, any>;

/** `text` with each `from` replaced by its `to`; each must occur exactly once. */
function substituted(text: string, replacements: ReadonlyArray<readonly [from: string, to: string]>): string {
  let result = text;
  for (const [from, to] of replacements) {
    expect(result.split(from).length - 1, `occurrences of ${from}`).toBe(1);
    result = result.replace(from, to);
  }
  return result;
}

/**
 * The Pod the DaemonSet controller creates on `node` from the DaemonSet's template, as the kubelet
 * hands it to the container runtime, with `image` as its image. podman 4.3 plays no DaemonSet
 * ("does not contain any supported kube kind"), refuses the fieldRef spec.nodeName, and passes
 * `$(VAR)` in args on unexpanded, so those parts of the kubelet's work are done here: the
 * downward-API values resolved and `$(VAR)` expanded as Kubernetes does (a reference to an unknown
 * variable stays as written).
 */
function daemonSetPod(daemonSet: Json, node: string, image: string): Json {
  const template = structuredClone(daemonSet['spec']['template']) as Json;
  const name = `${daemonSet['metadata']['name']}-${node}`;
  const namespace = daemonSet['metadata']['namespace'] as string;
  const fields: Record<string, string> = { 'spec.nodeName': node, 'metadata.name': name, 'metadata.namespace': namespace };
  for (const container of template['spec']['containers'] as Json[]) {
    container['image'] = image;
    const env: Record<string, string> = {};
    container['env'] = (container['env'] as Json[] | undefined)?.map((variable) => {
      const path = variable['valueFrom']?.['fieldRef']?.['fieldPath'] as string | undefined;
      const value = path === undefined ? String(variable['value']) : fields[path];
      if (value === undefined) throw new Error(`no value for fieldRef ${path}`);
      env[variable['name'] as string] = value;
      return { name: variable['name'], value };
    });
    container['args'] = (container['args'] as string[]).map((arg) => arg.replace(/\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (whole, key: string) => env[key] ?? whole));
  }
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { ...template['metadata'], name, namespace },
    spec: { ...template['spec'], nodeName: node },
  };
}

interface Advertisement {
  readonly time: number;
  readonly source: string;
  readonly priority: number;
}

/** The VRRP advertisements of a capture, in order. */
function advertisements(capture: Capture): Advertisement[] {
  return captureFields(capture.file, ['frame.time_epoch', 'ip.src', 'vrrp.prio'], 'vrrp').map(([time, source, priority]) => ({
    time: Number(time) * 1000,
    source: source ?? '',
    priority: Number(priority),
  }));
}

/**
 * From vrrpd's priority-0 advertisement (its last: it sends nothing after it) to keepalived's first
 * advertisement after it, in ms.
 */
function handoverAfterStop(adverts: readonly Advertisement[], stopAt: number): number {
  const fromNode = adverts.filter((advert) => advert.source === NODE_ADDRESS && advert.time > stopAt);
  const resign = fromNode.find((advert) => advert.priority === 0);
  expect(resign, 'a priority-0 advertisement from vrrpd').toBeDefined();
  expect(fromNode.at(-1)).toEqual(resign);
  const takeover = adverts.find((advert) => advert.source === PEER_ADDRESS && advert.time > resign!.time);
  expect(takeover?.priority).toBe(100);
  return takeover!.time - resign!.time;
}

/** The container's liveness and readiness httpGet probes, made from `node` as the kubelet makes them, answer 200. */
async function expectProbesAnswer(node: LabHost, container: Json): Promise<void> {
  for (const kind of ['livenessProbe', 'readinessProbe']) {
    const { host, port, path } = container[kind]['httpGet'] as { host: string; port: number; path: string };
    expect(await httpGet(node, `http://${host}:${port}${path}`), `${kind} ${path}`).toMatchObject({ status: 200, body: { status: 'ok', phase: 'running' } });
  }
}

/** One process as /proc/PID/status shows it inside the container. */
interface ProcessStatus {
  readonly pid: number;
  readonly name: string;
  readonly capEff: bigint;
  readonly capPrm: bigint;
  readonly capBnd: bigint;
  readonly noNewPrivs: string;
  readonly cmdline: string;
}

describe.skipIf(!isRoot() || !havePodman() || !haveKeepalived)('the container image in podman kube play beside keepalived (root, podman)', () => {
  let image = '';
  let podman: PrivatePodman | undefined;
  let dir = '';
  let lab: NamespaceLab | undefined;

  beforeAll(async () => {
    await sweepStaleLabs();
    await sweepStaleTestImages();
    const started = performance.now();
    // Cold: minutes (the stand-in base, the release, apt for tini); warm: seconds. A tag of this
    // run's own, removed after it; scripts/image keeps the base and the runtime stage cached.
    image = await runScript('image', ['--tag', testImageReference(VERSION)]);
    const seconds = ((performance.now() - started) / 1000).toFixed(0);
    podman = PrivatePodman.create();
    const size = Number((await podman.ok(['image', 'inspect', '--format', '{{.Size}}', image])).trim());
    console.info(`scripts/image: ${image}, ${(size / 1e6).toFixed(0)} MB, ${seconds} s`);
    dir = scratchDir('kube');
  }, 1_800_000);

  afterEach(async () => {
    // The pods first: they run in the lab's namespace.
    for (const pod of (await podman?.ok(['pod', 'ps', '--quiet']))?.split('\n').filter(Boolean) ?? []) await podman?.run(['pod', 'rm', '--force', '--time', '0', pod]);
    await lab?.destroy();
    lab = undefined;
  });

  afterAll(async () => {
    const leftMounted = (await podman?.destroy()) ?? [];
    if (image) {
      await removeMachineImage(image);
      expect(machineHasImage(image)).toBe(false);
    }
    expect(leftMounted).toEqual([]);
  });

  /** A lab with the node the pod runs on and keepalived's host, and a capture of the VRRP on the link. */
  async function labWithPeer(): Promise<{ node: LabHost; peer: LabHost; capture: Capture }> {
    lab = await NamespaceLab.create();
    const node = await lab.addHost('node', [`${NODE_ADDRESS}/24`]);
    const peer = await lab.addHost('peer', [`${PEER_ADDRESS}/24`]);
    const capture = await startCapture(peer, 'ip proto 112');
    return { node, peer, capture };
  }

  /** /proc/PID/status of every process the container shows (read from inside: podman exec). */
  async function processesInside(container: string): Promise<ProcessStatus[]> {
    const script = 'for p in /proc/[0-9]*; do printf "%s\\t" "${p#/proc/}"; grep -E "^(Name|CapEff|CapPrm|CapBnd|NoNewPrivs):" "$p/status" | cut -f2 | tr "\\n" "\\t"; tr "\\0" " " <"$p/cmdline"; echo; done';
    const out = await podman!.ok(['exec', container, 'sh', '-c', script]);
    return out
      .split('\n')
      .filter(Boolean)
      .map((line) => {
        // grep prints them in the file's order: Name, CapPrm, CapEff, CapBnd, NoNewPrivs.
        const [pid = '', name = '', capPrm = '0', capEff = '0', capBnd = '0', noNewPrivs = '', cmdline = ''] = line.split('\t');
        return { pid: Number(pid), name, capPrm: BigInt(`0x${capPrm}`), capEff: BigInt(`0x${capEff}`), capBnd: BigInt(`0x${capBnd}`), noNewPrivs, cmdline: cmdline.trim() };
      });
  }

  /** The host pid of the vrrpd process: the only child of the container's PID 1 (tini). */
  async function vrrpdHostPid(container: string): Promise<number> {
    const tini = Number((await podman!.ok(['inspect', '--format', '{{.State.Pid}}', container])).trim());
    const children = readFileSync(`/proc/${tini}/task/${tini}/children`, 'utf8').trim().split(/\s+/).filter(Boolean);
    expect(children).toHaveLength(1);
    return Number(children[0]);
  }

  test('the image: tini as PID 1 before vrrpd, no compiler, no TypeScript, no dev dependency', { timeout: 120_000 }, async () => {
    const entrypoint = JSON.parse(await podman!.ok(['image', 'inspect', '--format', '{{json .Config.Entrypoint}}', image])) as string[];
    expect(entrypoint).toEqual(['/usr/bin/tini', '--', 'vrrpd']);
    const look = [
      'for tool in g++ gcc cc c++ make python3 tsc; do command -v "$tool"; done',
      'ls /usr/local/lib/node_modules',
      'ls /usr/local/lib/node_modules/vrrpd/node_modules',
      'vrrpd --version',
    ].join('; echo --; ');
    const out = await podman!.ok(['run', '--rm', '--network', 'none', '--entrypoint', '/bin/sh', image, '-c', look]);
    const [tools = '', global = '', bundled = '', version = ''] = out.split('--\n');
    expect(tools).toBe('');
    expect(global.split('\n').filter(Boolean).sort()).toEqual(['corepack', 'npm', 'vrrpd']);
    const dependencies = Object.keys((JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { dependencies: Record<string, string> }).dependencies);
    const present = bundled.split('\n').filter(Boolean);
    for (const dependency of dependencies) expect(present).toContain(dependency.split('/')[0]);
    for (const dev of ['typescript', 'vitest', 'esbuild', '@types', 'dependency-cruiser', 'fast-check', '@grafana']) expect(present).not.toContain(dev);
    expect(version).toBe(`${VERSION}\n`);
  });

  test('static pod: election, SIGKILL failover and restart, pod stop hands over with priority 0, confined as the manifest says', { timeout: 300_000 }, async () => {
    const { node, peer, capture } = await labWithPeer();
    const config = join(dir, 'keepalived.conf');
    writeFileSync(config, instanceConfig({ priority: 150, version: 3, vip: `${VIP}/24` }));
    const manifest = join(dir, 'static-pod.yaml');
    writeFileSync(
      manifest,
      substituted(readFileSync(join(manifests, 'static-pod.yaml'), 'utf8'), [
        [`image: vrrpd:${VERSION}`, `image: ${image}`],
        ['path: /etc/keepalived/keepalived.conf', `path: ${config}`],
      ]),
    );
    const pod = parse(readFileSync(manifest, 'utf8')) as Json;
    const container = `${pod['metadata']['name']}-${pod['spec']['containers'][0]['name']}`;
    startKeepalived(peer, instanceConfig({ priority: 100, version: 3, vip: `${VIP}/24` }));

    // Election: vrrpd (150) Master, keepalived (100) Backup.
    const played = await podman!.run(['kube', 'play', manifest], node.netns);
    expect(played.code, played.stderr).toBe(0);
    await waitFor('vrrpd in the pod to hold the VIP', () => holds(node, VIP), 30_000);
    await new Promise((resolve) => setTimeout(resolve, 3000));
    expect(await holds(peer, VIP)).toBe(false);

    // As the manifest says: PID 1 is tini, vrrpd its child, with NET_ADMIN and NET_RAW only (effective,
    // permitted and bounding sets), no privilege escalation, and a read-only root filesystem where
    // only the emptyDir volumes (/run/vrrpd, /tmp) can be written.
    const processes = await processesInside(container);
    const init = processes.find((process) => process.pid === 1);
    expect(init?.name).toBe('tini');
    const vrrpd = processes.find((process) => process.cmdline.startsWith('node /usr/local/bin/vrrpd run'));
    expect(vrrpd?.cmdline).toBe(`node /usr/local/bin/vrrpd ${(pod['spec']['containers'][0]['args'] as string[]).join(' ')}`);
    for (const each of [init, vrrpd]) {
      expect({ capEff: each?.capEff, capPrm: each?.capPrm, capBnd: each?.capBnd, noNewPrivs: each?.noNewPrivs }).toEqual({
        capEff: NET_ADMIN_AND_NET_RAW,
        capPrm: NET_ADMIN_AND_NET_RAW,
        capBnd: NET_ADMIN_AND_NET_RAW,
        noNewPrivs: '1',
      });
    }
    const writes = await podman!.ok(['exec', container, 'sh', '-c', 'for f in /probe /usr/local/probe /etc/keepalived/keepalived.conf /run/vrrpd/probe /tmp/probe; do if touch "$f" 2>/dev/null; then echo "$f writable"; else echo "$f read-only"; fi; done; rm -f /run/vrrpd/probe /tmp/probe']);
    expect(writes.trim().split('\n')).toEqual(['/probe read-only', '/usr/local/probe read-only', '/etc/keepalived/keepalived.conf read-only', '/run/vrrpd/probe writable', '/tmp/probe writable']);

    // The probes as the kubelet runs them: an httpGet from the node (the pod shares its network,
    // here the lab's namespace), not from inside the container, so the image needs no HTTP client.
    await expectProbesAnswer(node, pod['spec']['containers'][0] as Json);
    // podman 4.3 instead makes the liveness probe a healthcheck run inside the container
    // (`curl -f URL || exit 1`, restart on failure); the image has no curl, see docs/kubernetes.md.
    // Nothing schedules it here (podman uses systemd timers; there is no systemd).
    console.info(`podman's healthcheck from the liveness probe: ${(await podman!.ok(['inspect', '--format', '{{json .Config.Healthcheck.Test}} on failure: {{.Config.HealthcheckOnFailureAction}}', container])).trim()}`);

    // SIGKILL of vrrpd (as the OOM killer would): no priority 0, keepalived takes over after
    // Master_Down_Interval; tini exits, the container restarts (restartPolicy Always), the new vrrpd
    // removes what the killed one left and takes the VIP back (priority 150, preemption).
    const vrrpdPid = await vrrpdHostPid(container);
    const killedAt = Date.now();
    process.kill(vrrpdPid, 'SIGKILL');
    await waitFor('keepalived to take the VIP', () => holds(peer, VIP), 15_000);
    await waitFor('the container to restart', async () => (await podman!.ok(['inspect', '--format', '{{.RestartCount}}', container])).trim() === '1', 30_000);
    await waitFor('the restarted vrrpd to take the VIP back', async () => (await holds(node, VIP)) && !(await holds(peer, VIP)), 30_000);
    const logs = await podman!.ok(['logs', container]);
    expect(logs).toContain('"event":"stale-addresses-removed"');

    // podman pod stop: SIGTERM to PID 1 (tini), which passes it on to vrrpd; vrrpd resigns with
    // priority 0 and removes the VIP before it exits.
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const stopAt = Date.now();
    const stopped = await podman!.run(['pod', 'stop', pod['metadata']['name'] as string]);
    expect(stopped.code, stopped.stderr).toBe(0);
    expect(await holds(node, VIP)).toBe(false);
    await waitFor('keepalived to take the VIP after the stop', () => holds(peer, VIP), 10_000);
    // Only the stopped vrrpd said this (the killed one could not).
    expect(await podman!.ok(['logs', container])).toMatch(/"event":"stopping","signal":"SIGTERM"/);
    expect((await podman!.ok(['inspect', '--format', '{{.State.ExitCode}}', container])).trim()).toBe('0');

    await capture.stop();
    const adverts = advertisements(capture);
    // The failover after SIGKILL: vrrpd's last advertisement before the kill, keepalived's first.
    const lastBeforeKill = adverts.filter((advert) => advert.source === NODE_ADDRESS && advert.time < killedAt).at(-1);
    const takeover = adverts.find((advert) => advert.source === PEER_ADDRESS && advert.time > killedAt);
    expect(lastBeforeKill?.priority).toBe(150);
    expect(takeover?.priority).toBe(100);
    const failover = takeover!.time - lastBeforeKill!.time;
    expect(adverts.some((advert) => advert.source === NODE_ADDRESS && advert.priority === 0 && advert.time < stopAt)).toBe(false);
    expect(failover).toBeGreaterThan(skewTime(3, 100, 1000) + 1000);
    expect(failover).toBeLessThan(masterDownInterval(3, 100, 1000) + MARGIN_MS);
    // The hand-over on stop: vrrpd's priority-0 advertisement, then keepalived's first within Skew_Time.
    const handover = handoverAfterStop(adverts, stopAt);
    expect(handover).toBeLessThan(skewTime(3, 100, 1000) + MARGIN_MS);
    console.info(`static pod: SIGKILL -> keepalived Master ${failover.toFixed(0)} ms after vrrpd's last advertisement (Master_Down_Interval ${masterDownInterval(3, 100, 1000)} ms); pod stop -> keepalived Master ${handover.toFixed(0)} ms after priority 0 (Skew_Time ${skewTime(3, 100, 1000)} ms)`);

    await podman!.ok(['pod', 'rm', pod['metadata']['name'] as string]);
    expect(await podman!.leftovers()).toEqual([]);
  });

  test('DaemonSet + ConfigMap: the pod on node-a gets priority 150 from its @node-a line and hands over on stop; on node-b, 100', { timeout: 300_000 }, async () => {
    const { node, peer, capture } = await labWithPeer();
    const configMapFile = join(manifests, 'configmap.yaml');
    const configMap = parse(readFileSync(configMapFile, 'utf8')) as Json;
    const daemonSet = parse(readFileSync(join(manifests, 'daemonset.yaml'), 'utf8')) as Json;
    // keepalived beside it reads the same keepalived.conf as a third node would (its @^node-a line: 100).
    startKeepalived(peer, configMap['data']['keepalived.conf'] as string, { configId: 'node-c' });
    await waitFor('keepalived alone to take the VIP', () => holds(peer, VIP), 15_000);

    // The configured priority: which of the ConfigMap's two priority lines applied.
    const status = async (container: string): Promise<{ state: string; priority: number }> => {
      const out = await podman!.ok(['exec', container, 'vrrpd', 'status', '--json', '--control-socket', '/run/vrrpd/vrrpd.sock']);
      const [instance] = (JSON.parse(out) as { instances: Array<{ state: string; basePriority: number }> }).instances;
      return { state: instance?.state ?? '', priority: instance?.basePriority ?? -1 };
    };

    // node-a: priority 150 preempts keepalived (100).
    const onNodeA = join(dir, 'daemonset-node-a.yaml');
    writeFileSync(onNodeA, stringify(daemonSetPod(daemonSet, 'node-a', image)));
    const played = await podman!.run(['kube', 'play', '--configmap', configMapFile, onNodeA], node.netns);
    expect(played.code, played.stderr).toBe(0);
    await waitFor('vrrpd on node-a to take the VIP', async () => (await holds(node, VIP)) && !(await holds(peer, VIP)), 30_000);
    expect(await status('vrrpd-node-a-vrrpd')).toEqual({ state: 'Master', priority: 150 });
    await expectProbesAnswer(node, daemonSet['spec']['template']['spec']['containers'][0] as Json);
    const mounted = await podman!.ok(['exec', 'vrrpd-node-a-vrrpd', 'cat', '/etc/keepalived/keepalived.conf']);
    expect(mounted).toBe(configMap['data']['keepalived.conf']);

    const stopAt = Date.now();
    await podman!.ok(['pod', 'stop', 'vrrpd-node-a']);
    expect(await holds(node, VIP)).toBe(false);
    await waitFor('keepalived to take the VIP back', () => holds(peer, VIP), 10_000);
    await podman!.ok(['pod', 'rm', 'vrrpd-node-a']);

    // node-b: the @^node-a line, priority 100; keepalived (100, the higher address) stays Master.
    const onNodeB = join(dir, 'daemonset-node-b.yaml');
    writeFileSync(onNodeB, stringify(daemonSetPod(daemonSet, 'node-b', image)));
    await podman!.ok(['kube', 'play', '--configmap', configMapFile, onNodeB], node.netns);
    await waitFor('vrrpd on node-b to be Backup', async () => (await status('vrrpd-node-b-vrrpd').catch(() => ({ state: '', priority: -1 }))).state === 'Backup', 30_000);
    expect(await status('vrrpd-node-b-vrrpd')).toEqual({ state: 'Backup', priority: 100 });
    await new Promise((resolve) => setTimeout(resolve, 4000));
    expect(await holds(node, VIP)).toBe(false);
    expect(await holds(peer, VIP)).toBe(true);

    await capture.stop();
    const handover = handoverAfterStop(advertisements(capture), stopAt);
    expect(handover).toBeLessThan(skewTime(3, 100, 1000) + MARGIN_MS);
    console.info(`DaemonSet pod: pod stop -> keepalived Master ${handover.toFixed(0)} ms after priority 0 (Skew_Time ${skewTime(3, 100, 1000)} ms)`);

    await podman!.ok(['pod', 'rm', '--force', 'vrrpd-node-b']);
    // The ConfigMap became a volume of its name, which outlives the pods (as the ConfigMap does in Kubernetes).
    await podman!.ok(['volume', 'rm', configMap['metadata']['name'] as string]);
    expect(await podman!.leftovers()).toEqual([]);
  });
});
