// keepalived's use_vmac: a macvlan in private mode on the instance's interface, named vrrp.<VRID>
// unless configured, with the VRRP virtual MAC (RFC 5798 §7.3: 00-00-5E-00-01-{VRID} for IPv4,
// 00-00-5E-00-02-{VRID} for IPv6), so adverts, gratuitous ARP and the VIPs use the virtual MAC.
// Created at start (a stale one from a crashed run is replaced) and when a reload adds an instance
// that uses one, removed on stop and when a reload drops the last instance on it; the sysctls are
// keepalived's, and a parent's are put back when its last VMAC goes.
import { readFileSync, writeFileSync } from 'node:fs';
import type { AddressFamily } from '../core/address.js';
import type { VmacSpec } from '../daemon/vrrp/ports.js';
import type { Logger } from '../core/log.js';
import { NetlinkError, type Rtnetlink } from './netlink/rtnetlink.js';

export class VmacError extends Error {
  override readonly name = 'VmacError';
}

/** RFC 5798 §7.3 virtual router MAC address. */
export function vmacAddress(vrid: number, family: AddressFamily): string {
  return `00:00:5e:00:${family === 'ipv4' ? '01' : '02'}:${vrid.toString(16).padStart(2, '0')}`;
}

/**
 * keepalived's sysctls. On the VMAC: answer ARP only for its own addresses (arp_ignore=1), accept
 * packets from our own addresses (accept_local=1: the parent and the VMAC share a subnet), no
 * reverse-path filter (rp_filter=0: the VMAC has no route of its own). On the parent: arp_ignore=1
 * and arp_filter=1, so the parent's MAC does not answer ARP for the VIPs.
 */
const VMAC_SYSCTLS = { arp_ignore: '1', accept_local: '1', rp_filter: '0' } as const;
const PARENT_SYSCTLS = { arp_ignore: '1', arp_filter: '1' } as const;
/** IPv6: no address generated from the (shared) virtual MAC; the parent's link-local is copied instead. */
const IN6_ADDR_GEN_MODE_NONE = '1';

function sysctlPath(family: 'ipv4' | 'ipv6', interfaceName: string, key: string): string {
  return `/proc/sys/net/${family}/conf/${interfaceName}/${key}`;
}

export class Vmacs {
  /** What each VMAC this run created is for, by name. */
  private readonly specs = new Map<string, VmacSpec>();
  /** Per parent, the sysctl values it had before its first VMAC (path → value). */
  private readonly savedParentSysctls = new Map<string, Map<string, string>>();

  constructor(
    private readonly netlink: Rtnetlink,
    private readonly log: Logger,
  ) {}

  /**
   * Creates the VMACs not yet there (at start; on reload, the ones the new configuration adds) and
   * returns their names. If one fails, those this call created are removed again.
   */
  async create(specs: readonly VmacSpec[]): Promise<string[]> {
    const created: string[] = [];
    try {
      for (const spec of specs) {
        const running = this.specs.get(spec.name);
        if (running && sameVmac(running, spec)) continue;
        // Its instance still runs on it (a reload stops it later): it cannot be made over here.
        if (running) throw new VmacError(`use_vmac: ${spec.name} is the VMAC of VRID ${running.vrid} on ${running.parent}; give the VMAC of VRID ${spec.vrid} on ${spec.parent} another name`);
        await this.createOne(spec);
        created.push(spec.name);
      }
    } catch (error) {
      await this.remove(created);
      throw error;
    }
    return created;
  }

  /** The interface a VMAC this run created sits on. */
  parentOf(name: string): string | undefined {
    return this.specs.get(name)?.parent;
  }

  /** Whether this run made a VMAC on the interface. */
  isParent(name: string): boolean {
    return [...this.specs.values()].some((spec) => spec.parent === name);
  }

  /** After a reload: removes the VMACs this run created that the new configuration no longer has. */
  keepOnly(specs: readonly VmacSpec[]): Promise<void> {
    const wanted = new Set(specs.map((spec) => spec.name));
    return this.remove([...this.specs.keys()].filter((name) => !wanted.has(name)));
  }

  /** Removes every VMAC this run created and puts the parents' sysctls back. */
  removeAll(): Promise<void> {
    return this.remove([...this.specs.keys()]);
  }

  /** Removes VMACs this run created; a parent gets its sysctls back when none of ours is left on it. */
  async remove(names: readonly string[]): Promise<void> {
    for (const name of names) {
      const parent = this.parentOf(name);
      if (parent === undefined) continue;
      const link = await this.netlink.link(name);
      if (link) await this.netlink.deleteLink(link.index).catch((error: unknown) => {
        if (!(error instanceof NetlinkError && error.errno === 'ENODEV')) throw error;
      });
      this.specs.delete(name);
      this.log.info({ event: 'vmac-removed', interface: name }, `removed ${name}`);
      if (!this.isParent(parent)) this.restoreParent(parent);
    }
  }

  private restoreParent(parent: string): void {
    for (const [path, value] of this.savedParentSysctls.get(parent) ?? []) {
      try {
        writeFileSync(path, value);
      } catch {
        // The parent went away; nothing to restore.
      }
    }
    this.savedParentSysctls.delete(parent);
  }

  private async createOne(spec: VmacSpec): Promise<void> {
    const parent = await this.netlink.link(spec.parent);
    if (!parent) throw new VmacError(`use_vmac: interface ${spec.parent} does not exist`);
    const mac = vmacAddress(spec.vrid, spec.family);
    const existing = await this.netlink.link(spec.name);
    if (existing) {
      // A VMAC left by a crashed run (ours or keepalived's): same kind, parent and MAC. Anything
      // else with that name belongs to someone else and is left alone.
      if (existing.kind !== 'macvlan' || existing.parentIndex !== parent.index || existing.mac !== mac) {
        throw new VmacError(`use_vmac: ${spec.name} exists and is not the VMAC of VRID ${spec.vrid} on ${spec.parent} (${existing.kind ?? 'device'}, ${existing.mac}); rename it or the VMAC`);
      }
      await this.netlink.deleteLink(existing.index);
      this.log.warn({ event: 'stale-vmac-removed', interface: spec.name }, `removed ${spec.name} left by a previous run`);
    }
    try {
      await this.netlink.addMacvlan({ name: spec.name, parentIndex: parent.index, mac });
    } catch (error) {
      throw new VmacError(`use_vmac: cannot create ${spec.name} on ${spec.parent}: ${(error as Error).message}`);
    }
    this.specs.set(spec.name, spec);
    const link = await this.netlink.link(spec.name);
    if (!link) throw new VmacError(`use_vmac: ${spec.name} vanished after being created`);
    for (const [key, value] of Object.entries(VMAC_SYSCTLS)) writeFileSync(sysctlPath('ipv4', spec.name, key), value);
    const saved = this.savedParentSysctls.get(spec.parent) ?? new Map<string, string>();
    this.savedParentSysctls.set(spec.parent, saved);
    for (const [key, value] of Object.entries(PARENT_SYSCTLS)) {
      const path = sysctlPath('ipv4', spec.parent, key);
      if (!saved.has(path)) saved.set(path, readFileSync(path, 'utf8').trim());
      writeFileSync(path, value);
    }
    // As keepalived: no link-local generated from the virtual MAC, which every router shares.
    writeFileSync(sysctlPath('ipv6', spec.name, 'addr_gen_mode'), IN6_ADDR_GEN_MODE_NONE);
    await this.netlink.setLinkUp(link.index, true);
    if (spec.family === 'ipv6' && !(await this.copyLinkLocal(parent.index, link.index))) {
      this.log.warn(
        { event: 'vmac-link-local-missing', interface: spec.name, parent: spec.parent },
        `${spec.parent} has no IPv6 link-local address to give ${spec.name} yet; its instance waits in Fault until it has`,
      );
    }
    this.log.info({ event: 'vmac-created', interface: spec.name, parent: spec.parent, mac }, `created ${spec.name} on ${spec.parent} with ${mac}`);
  }

  /**
   * The parent has a link-local address again (it had none at start, or someone removed it), or a
   * VMAC came back up (set down, it lost its copy and the kernel makes none): the parent's IPv6
   * VMACs without one get a copy, so their instances, in Fault without a source address, run again.
   */
  async restoreLinkLocals(parent: string): Promise<void> {
    for (const spec of this.specs.values()) {
      if (spec.family !== 'ipv6' || spec.parent !== parent) continue;
      const [parentLink, link] = await Promise.all([this.netlink.link(parent), this.netlink.link(spec.name)]);
      if (!parentLink || !link) continue;
      if (await this.copyLinkLocal(parentLink.index, link.index)) {
        this.log.info({ event: 'vmac-link-local-restored', interface: spec.name, parent }, `${spec.name} has ${parent}'s IPv6 link-local address again`);
      }
    }
  }

  /**
   * RFC 5798 §5.1.2.1: IPv6 adverts come from a link-local address. Every router's VMAC has the
   * same MAC, so a generated one would be the same on every router; the VMAC gets the parent's.
   * False when the parent has none, or the VMAC has one already.
   */
  private async copyLinkLocal(parentIndex: number, index: number): Promise<boolean> {
    const linkLocals = (await this.netlink.addresses('ipv6')).filter((a) => a.address.startsWith('fe80:'));
    const linkLocal = linkLocals.find((a) => a.interfaceIndex === parentIndex);
    if (!linkLocal || linkLocals.some((a) => a.interfaceIndex === index)) return false;
    await this.netlink.addAddress({ family: 'ipv6', address: linkLocal.address, prefixLength: 64, interfaceIndex: index, scope: 'link', tagged: false });
    return true;
  }
}

function sameVmac(a: VmacSpec, b: VmacSpec): boolean {
  return a.parent === b.parent && a.vrid === b.vrid && a.family === b.family;
}
