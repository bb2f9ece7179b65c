// use_vmac against keepalived 2.2.7 using use_vmac, IPv4 and IPv6: vrrpd creates the macvlan
// vrrp.<VRID> (private mode, MAC 00:00:5e:00:01:VRID, or :02: for IPv6) with keepalived's sysctls,
// puts the VIP on it, and sends adverts and gratuitous ARP / unsolicited NA from the virtual MAC;
// on SIGTERM keepalived takes over and the VMAC is removed (the parent's sysctls put back). A VMAC
// left by a crashed run is replaced; an unrelated interface with the name is refused.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { afterEach, describe, expect, test } from 'vitest';
import { skewTime } from '../../src/vrrp/protocol/timers.js';
import { captureFields, startCapture } from '../helpers/capture.js';
import { instanceConfig, startKeepalived, startVrrpd, waitFor } from '../helpers/daemons.js';
import { floodMulticast, linkLocal } from '../helpers/ipv6.js';
import { isRoot, NamespaceLab, sweepStaleLabs, type LabHost } from '../helpers/netns.js';

const haveKeepalived = spawnSync('keepalived', ['--version'], { stdio: 'ignore' }).status === 0;
const MARGIN_MS = 600;
const VMAC = 'vrrp.51';

interface Family {
  readonly name: string;
  readonly vip: string;
  readonly prefix: number;
  readonly a: string;
  readonly b: string;
  readonly mac: string;
  readonly filter: string;
}

const families: Family[] = [
  { name: 'IPv4', vip: '192.0.2.100', prefix: 24, a: '192.0.2.1', b: '192.0.2.2', mac: '00:00:5e:00:01:33', filter: 'ip proto 112 or arp' },
  { name: 'IPv6', vip: '2001:db8::100', prefix: 64, a: '2001:db8::1', b: '2001:db8::2', mac: '00:00:5e:00:02:33', filter: 'ip6 proto 112 or (icmp6 and ip6[40] == 136)' },
];

let lab: NamespaceLab | undefined;
afterEach(async () => {
  await lab?.destroy();
  lab = undefined;
});

async function holdsOn(host: LabHost, address: string, device: string): Promise<boolean> {
  const { stdout } = await host.ip('-j', 'addr', 'show');
  const links = JSON.parse(stdout) as Array<{ ifname: string; addr_info: Array<{ local?: string }> }>;
  return links.some((link) => link.ifname === device && link.addr_info.some((info) => info.local === address));
}

async function hasLink(host: LabHost, name: string): Promise<boolean> {
  const { stdout } = await host.ip('-j', 'link', 'show');
  return (JSON.parse(stdout) as Array<{ ifname: string }>).some((link) => link.ifname === name);
}

/** An IPv4 sysctl of an interface, read in the host's namespace (names may contain dots). */
async function sysctl(host: LabHost, device: string, key: string): Promise<string> {
  return (await host.exec('cat', [`/proc/sys/net/ipv4/conf/${device}/${key}`])).stdout.trim();
}

function config(family: Family, priority: number): string {
  return instanceConfig({ priority, version: 3, vip: `${family.vip}/${family.prefix}`, extra: '  use_vmac\n  garp_master_delay 0\n  garp_master_repeat 2' });
}

describe.skipIf(!isRoot() || !haveKeepalived)('use_vmac against keepalived (needs root and keepalived)', () => {
  test.each(families)('$name: vrrpd Master on its VMAC, adverts and announcements from the virtual MAC; SIGTERM hands over and removes it', { timeout: 60_000 }, async (family) => {
    await sweepStaleLabs();
    lab = await NamespaceLab.create();
    const a = await lab.addHost('a', [`${family.a}/${family.prefix}`]);
    const b = await lab.addHost('b', [`${family.b}/${family.prefix}`]);
    const observer = await lab.addHost('obs', [family.name === 'IPv4' ? '192.0.2.9/24' : '2001:db8::9/64']);
    const source = family.name === 'IPv4' ? family.a : await linkLocal(a);
    await linkLocal(b);
    // The observer joins no group: let the bridge flood multicast to it.
    await floodMulticast(lab);
    const capture = await startCapture(observer, family.filter);

    const vrrpd = startVrrpd(a, config(family, 150));
    await waitFor('vrrpd to create its VMAC', () => hasLink(a, VMAC), 5000);
    startKeepalived(b, config(family, 100));
    await waitFor('vrrpd to hold the VIP on its VMAC', () => holdsOn(a, family.vip, VMAC), 8000);
    await new Promise((resolve) => setTimeout(resolve, 3500));
    expect(await holdsOn(b, family.vip, VMAC)).toBe(false);
    expect(await holdsOn(a, family.vip, 'eth0')).toBe(false);

    // The VMAC as keepalived makes it, and keepalived's sysctls.
    const [link] = JSON.parse((await a.ip('-d', '-j', 'link', 'show', VMAC)).stdout) as Array<{ address: string; linkinfo: { info_kind: string; info_data: { mode: string } } }>;
    expect([link?.address, link?.linkinfo.info_kind, link?.linkinfo.info_data.mode]).toEqual([family.mac, 'macvlan', 'private']);
    expect(await Promise.all(['arp_ignore', 'accept_local', 'rp_filter'].map((key) => sysctl(a, VMAC, key)))).toEqual(['1', '1', '0']);
    expect(await Promise.all(['arp_ignore', 'arp_filter'].map((key) => sysctl(a, 'eth0', key)))).toEqual(['1', '1']);

    vrrpd.process.kill('SIGTERM');
    const handover = await waitFor('keepalived to take the VIP', () => holdsOn(b, family.vip, VMAC), 5000);
    expect(handover).toBeLessThan(skewTime(3, 100, 1000) + MARGIN_MS);
    expect(await vrrpd.exited).toBe(0);
    expect(await hasLink(a, VMAC)).toBe(false);
    expect(await Promise.all(['arp_ignore', 'arp_filter'].map((key) => sysctl(a, 'eth0', key)))).toEqual(['0', '0']);
    console.info(`${family.name} use_vmac: vrrpd SIGTERM -> keepalived Master in ${handover.toFixed(0)} ms`);

    await capture.stop();
    if (family.name === 'IPv4') {
      const adverts = captureFields(capture.file, ['eth.src', 'ip.src', 'vrrp.prio'], `vrrp and ip.src == ${family.a}`);
      expect(adverts.length).toBeGreaterThanOrEqual(4);
      for (const [mac] of adverts) expect(mac).toBe(family.mac);
      expect(adverts.at(-1)?.[2]).toBe('0');
      const garps = captureFields(capture.file, ['eth.src', 'arp.src.hw_mac', 'arp.src.proto_ipv4'], `arp and arp.src.proto_ipv4 == ${family.vip}`);
      expect(garps.slice(0, 2)).toEqual([[family.mac, family.mac, family.vip], [family.mac, family.mac, family.vip]]);
    } else {
      const adverts = captureFields(capture.file, ['eth.src', 'ipv6.src', 'ipv6.hlim', 'vrrp.prio', 'vrrp.checksum.status'], `vrrp and ipv6.src == ${source}`);
      expect(adverts.length).toBeGreaterThanOrEqual(4);
      for (const [mac, , hopLimit, , checksum] of adverts) expect([mac, hopLimit, checksum]).toEqual([family.mac, '255', '1']);
      expect(adverts.at(-1)?.[3]).toBe('0');
      // Unsolicited NAs from the VIP itself, as keepalived's.
      const nas = captureFields(capture.file, ['eth.src', 'ipv6.src', 'icmpv6.nd.na.target_address', 'icmpv6.opt.linkaddr', 'icmpv6.checksum.status'], `icmpv6.type == 136 and eth.src == ${family.mac}`);
      expect(nas.slice(0, 2)).toEqual([[family.mac, family.vip, family.vip, family.mac, '1'], [family.mac, family.vip, family.vip, family.mac, '1']]);
    }
  });
});

describe.skipIf(!isRoot() || !haveKeepalived)('use_vmac with unicast peers against keepalived (needs root and keepalived)', () => {
  test('adverts go through the parent (as keepalived sends them), the VIP onto the VMAC; SIGTERM hands over', { timeout: 40_000 }, async () => {
    await sweepStaleLabs();
    lab = await NamespaceLab.create();
    const a = await lab.addHost('a', ['192.0.2.1/24']);
    const b = await lab.addHost('b', ['192.0.2.2/24']);
    const unicast = (priority: number, self: string, peer: string) =>
      instanceConfig({ priority, version: 3, vip: '192.0.2.100/24', unicastSource: self, unicastPeers: [peer], extra: '  use_vmac' });
    const capture = await startCapture(b, 'ip proto 112 and src host 192.0.2.1');
    const vrrpd = startVrrpd(a, unicast(150, '192.0.2.1', '192.0.2.2'));
    startKeepalived(b, unicast(100, '192.0.2.2', '192.0.2.1'));
    await waitFor('vrrpd to hold the VIP on its VMAC', () => holdsOn(a, '192.0.2.100', VMAC), 8000);
    await new Promise((resolve) => setTimeout(resolve, 4000));
    expect(await holdsOn(b, '192.0.2.100', VMAC)).toBe(false);

    vrrpd.process.kill('SIGTERM');
    const handover = await waitFor('keepalived to take the VIP', () => holdsOn(b, '192.0.2.100', VMAC), 5000);
    expect(handover).toBeLessThan(skewTime(3, 100, 1000) + MARGIN_MS);
    await capture.stop();
    const parentMac = (JSON.parse((await a.ip('-j', 'link', 'show', 'eth0')).stdout) as Array<{ address: string }>)[0]?.address;
    const adverts = captureFields(capture.file, ['eth.src', 'ip.dst', 'vrrp.prio']);
    expect(adverts.length).toBeGreaterThanOrEqual(4);
    for (const [mac, destination] of adverts) expect([mac, destination]).toEqual([parentMac, '192.0.2.2']);
    expect(adverts.at(-1)?.[2]).toBe('0');
  });
});

describe.skipIf(!isRoot())('use_vmac clean-up (needs root)', () => {
  test('a VMAC left by a crashed run is replaced; an unrelated interface with the name is refused', { timeout: 40_000 }, async () => {
    await sweepStaleLabs();
    lab = await NamespaceLab.create();
    const a = await lab.addHost('a', ['192.0.2.1/24']);
    const ipv4 = families[0] as Family;
    await a.ip('link', 'add', 'link', 'eth0', 'name', VMAC, 'address', ipv4.mac, 'type', 'macvlan', 'mode', 'private');
    await a.ip('addr', 'add', '198.51.100.50/32', 'dev', VMAC);
    const vrrpd = startVrrpd(a, config(ipv4, 150));
    await waitFor('vrrpd to hold the VIP on its VMAC', () => holdsOn(a, ipv4.vip, VMAC), 8000);
    expect(vrrpd.lines.some((line) => line.includes('stale-vmac-removed'))).toBe(true);
    // Replaced, not reused: what was on the old one is gone.
    expect(await holdsOn(a, '198.51.100.50', VMAC)).toBe(false);
    vrrpd.process.kill('SIGTERM');
    expect(await vrrpd.exited).toBe(0);
    expect(await hasLink(a, VMAC)).toBe(false);

    await a.ip('link', 'add', VMAC, 'type', 'veth', 'peer', 'name', 'vx0');
    const refused = startVrrpd(a, config(ipv4, 150));
    expect(await refused.exited).toBe(1);
    expect(refused.lines.join('\n')).toContain(`use_vmac: ${VMAC} exists and is not the VMAC of VRID 51 on eth0`);
    expect(await hasLink(a, VMAC)).toBe(true);
  });

  test('a reload adds a use_vmac instance with its VMAC, and removes the VMAC with the instance', { timeout: 40_000 }, async () => {
    await sweepStaleLabs();
    lab = await NamespaceLab.create();
    const a = await lab.addHost('a', ['192.0.2.1/24']);
    const plain = instanceConfig({ priority: 150, version: 3, vip: '192.0.2.50/24' });
    const withVmac = instanceConfig({ name: 'VI_2', vrid: 52, priority: 150, version: 3, vip: '192.0.2.100/24', extra: '  use_vmac' });
    const vrrpd = startVrrpd(a, plain);
    await waitFor('VI_1 to hold its VIP', () => holdsOn(a, '192.0.2.50', 'eth0'), 8000);
    const arpIgnore = await sysctl(a, 'eth0', 'arp_ignore');
    const reload = async (config: string, count: number): Promise<void> => {
      writeFileSync(vrrpd.configFile, config);
      vrrpd.process.kill('SIGHUP');
      await waitFor(`reload ${count}`, async () => vrrpd.lines.filter((line) => line.includes('"event":"reloaded"')).length === count, 5000);
    };

    await reload(plain + withVmac, 1);
    await waitFor('VI_2 to hold its VIP on vrrp.52', () => holdsOn(a, '192.0.2.100', 'vrrp.52'), 8000);
    const { stdout } = await a.ip('-j', 'link', 'show', 'vrrp.52');
    expect(JSON.parse(stdout)).toMatchObject([{ address: '00:00:5e:00:01:34', link: 'eth0' }]);
    expect(await sysctl(a, 'eth0', 'arp_ignore')).toBe('1');

    await reload(plain, 2);
    // The link goes first, then the parent's sysctls come back.
    await waitFor('vrrp.52 to be removed', async () => !(await hasLink(a, 'vrrp.52')), 5000);
    await waitFor(`eth0's arp_ignore to be ${arpIgnore} again`, async () => (await sysctl(a, 'eth0', 'arp_ignore')) === arpIgnore, 2000);
    expect(await holdsOn(a, '192.0.2.50', 'eth0')).toBe(true);
    expect(vrrpd.lines.filter((line) => line.includes('"level":50') || line.includes('reload-rejected'))).toEqual([]);
  });
});

describe.skipIf(!isRoot())('IPv6 use_vmac and the parent\'s link-local address (needs root)', () => {
  const ipv6 = families[1] as Family;

  test('links going down and up: after the parent\'s, and after the VMAC\'s own (which takes its link-local away), vrrpd is Master again', { timeout: 60_000 }, async () => {
    await sweepStaleLabs();
    lab = await NamespaceLab.create();
    const a = await lab.addHost('a', [`${ipv6.a}/${ipv6.prefix}`]);
    await linkLocal(a);
    const vrrpd = startVrrpd(a, config(ipv6, 150));
    await waitFor('vrrpd to hold the VIP on its VMAC', () => holdsOn(a, ipv6.vip, VMAC), 8000);
    for (const device of ['eth0', VMAC]) {
      await a.ip('link', 'set', device, 'down');
      await waitFor(`vrrpd to give up the VIP (${device} down)`, async () => !(await holdsOn(a, ipv6.vip, VMAC)), 5000);
      await a.ip('link', 'set', device, 'up');
      await waitFor(`vrrpd to hold the VIP on its VMAC again (${device} up)`, () => holdsOn(a, ipv6.vip, VMAC), 10_000);
    }
    expect(vrrpd.lines.filter((line) => line.includes('vmac-link-local-restored')).length).toBe(1);
  });

  test('none at start: the VMAC is made, its instance waits in Fault, and runs once the parent has one', { timeout: 40_000 }, async () => {
    await sweepStaleLabs();
    lab = await NamespaceLab.create();
    const a = await lab.addHost('a', [`${ipv6.a}/${ipv6.prefix}`]);
    const address = await linkLocal(a);
    await a.ip('-6', 'addr', 'del', `${address}/64`, 'dev', 'eth0');
    const vrrpd = startVrrpd(a, config(ipv6, 150));
    await waitFor('the VMAC', () => hasLink(a, VMAC), 5000);
    await new Promise((resolve) => setTimeout(resolve, 4500));
    expect(await holdsOn(a, ipv6.vip, VMAC)).toBe(false);
    expect(vrrpd.process.exitCode).toBe(null);
    expect(vrrpd.lines.some((line) => line.includes('vmac-link-local-missing'))).toBe(true);
    await a.ip('-6', 'addr', 'add', `${address}/64`, 'dev', 'eth0', 'nodad');
    await waitFor('vrrpd to hold the VIP on its VMAC', () => holdsOn(a, ipv6.vip, VMAC), 8000);
  });
});

