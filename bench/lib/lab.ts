// Namespace labs for benchmarks: the tests' NamespaceLab, plus extra links (ethN on bridge brN)
// for scale runs where VRIDs are spread over several interfaces.
import { startCapture, type Capture } from '../../test/helpers/capture.js';
import { LabHost, NamespaceLab, sh, sweepStaleLabs } from '../../test/helpers/netns.js';

export { LabHost, NamespaceLab };

export async function newLab(): Promise<NamespaceLab> {
  await sweepStaleLabs();
  return NamespaceLab.create();
}

/** Adds `ethN` to each host, all on bridge `brN` (N >= 1), with the given address per host. */
export async function addLink(lab: NamespaceLab, n: number, hosts: ReadonlyArray<{ host: LabHost; address: string }>): Promise<void> {
  await sh('ip', ['-n', lab.switchNetns, 'link', 'add', `br${n}`, 'type', 'bridge']);
  await sh('ip', ['-n', lab.switchNetns, 'link', 'set', `br${n}`, 'up']);
  for (const { host, address } of hosts) {
    const port = `${host.switchPort}x${n}`;
    await sh('ip', ['link', 'add', `eth${n}`, 'netns', host.netns, 'type', 'veth', 'peer', 'name', port, 'netns', lab.switchNetns]);
    await sh('ip', ['-n', lab.switchNetns, 'link', 'set', port, 'master', `br${n}`, 'up']);
    await host.ip('link', 'set', `eth${n}`, 'up');
    await host.ip('addr', 'add', address, 'dev', `eth${n}`);
  }
}

export async function macOf(host: LabHost, device = 'eth0'): Promise<string> {
  const { stdout } = await host.ip('-j', 'link', 'show', 'dev', device);
  return (JSON.parse(stdout) as Array<{ address: string }>)[0]!.address;
}

/**
 * A capture of VRRP and ARP on the host's device. As the tests' startCapture, with a 32 MiB kernel
 * buffer: a Master announcing 254 VIPs five times sends ~1300 frames at once, and tcpdump's default
 * buffer lost half of them (and the advertisement among them) while every interface counter showed
 * them delivered.
 */
export function captureVrrpAndArp(host: LabHost, device = 'eth0', filter = 'ip proto 112 or arp'): Promise<Capture> {
  return startCapture(host, filter, device, { bufferKiB: 32768 });
}

/** The switch namespace as a host, to capture on a bridge (sees every flooded frame). */
export function switchHost(lab: NamespaceLab): LabHost {
  return new LabHost(lab, 'switch', lab.switchNetns, '');
}
