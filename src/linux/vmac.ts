// keepalived's use_vmac: a macvlan in private mode on the instance's interface, named vrrp.<VRID>
// unless configured, with the VRRP virtual MAC (RFC 5798 §7.3: 00-00-5E-00-01-{VRID} for IPv4,
// 00-00-5E-00-02-{VRID} for IPv6), so adverts, gratuitous ARP and the VIPs use the virtual MAC.
// Created at start (a stale one from a crashed run is replaced), removed on stop; the sysctls are
// keepalived's and the parent's are put back on removal.
import { readFileSync, writeFileSync } from 'node:fs';
import type { AddressFamily } from '../packet/address.js';
import type { Logger } from '../daemon/log.js';
import { NetlinkError, type Rtnetlink } from './netlink/rtnetlink.js';

export interface VmacSpec {
  /** The macvlan's name (use_vmac NAME, default vrrp.<VRID>). */
  readonly name: string;
  /** The instance's configured interface. */
  readonly parent: string;
  readonly vrid: number;
  readonly family: AddressFamily;
}

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
  /** VMAC name → parent name, for the interfaces this run created. */
  readonly parents = new Map<string, string>();
  private readonly savedParentSysctls = new Map<string, string>();

  constructor(
    private readonly netlink: Rtnetlink,
    private readonly log: Logger,
  ) {}

  async create(specs: readonly VmacSpec[]): Promise<void> {
    for (const spec of specs) {
      if (this.parents.has(spec.name)) continue;
      await this.createOne(spec);
    }
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
    this.parents.set(spec.name, spec.parent);
    const link = await this.netlink.link(spec.name);
    if (!link) throw new VmacError(`use_vmac: ${spec.name} vanished after being created`);
    for (const [key, value] of Object.entries(VMAC_SYSCTLS)) writeFileSync(sysctlPath('ipv4', spec.name, key), value);
    for (const [key, value] of Object.entries(PARENT_SYSCTLS)) {
      const path = sysctlPath('ipv4', spec.parent, key);
      if (!this.savedParentSysctls.has(path)) this.savedParentSysctls.set(path, readFileSync(path, 'utf8').trim());
      writeFileSync(path, value);
    }
    // As keepalived: no link-local generated from the virtual MAC, which every router shares.
    writeFileSync(sysctlPath('ipv6', spec.name, 'addr_gen_mode'), IN6_ADDR_GEN_MODE_NONE);
    await this.netlink.setLinkUp(link.index, true);
    if (spec.family === 'ipv6') await this.copyLinkLocal(parent.index, link.index, spec);
    this.log.info({ event: 'vmac-created', interface: spec.name, parent: spec.parent, mac }, `created ${spec.name} on ${spec.parent} with ${mac}`);
  }

  /**
   * RFC 5798 §5.1.2.1: IPv6 adverts come from a link-local address. Every router's VMAC has the
   * same MAC, so a generated one would be the same on every router; the VMAC gets the parent's.
   */
  private async copyLinkLocal(parentIndex: number, index: number, spec: VmacSpec): Promise<void> {
    const linkLocal = (await this.netlink.addresses('ipv6')).find((a) => a.interfaceIndex === parentIndex && a.address.startsWith('fe80:'));
    if (!linkLocal) throw new VmacError(`use_vmac: ${spec.parent} has no IPv6 link-local address to give ${spec.name}`);
    await this.netlink.addAddress({ family: 'ipv6', address: linkLocal.address, prefixLength: 64, interfaceIndex: index, scope: 'link', tagged: false });
  }

  /** Removes every VMAC this run created and puts the parents' sysctls back. */
  async removeAll(): Promise<void> {
    for (const name of this.parents.keys()) {
      const link = await this.netlink.link(name);
      if (link) await this.netlink.deleteLink(link.index).catch((error: unknown) => {
        if (!(error instanceof NetlinkError && error.errno === 'ENODEV')) throw error;
      });
      this.log.info({ event: 'vmac-removed', interface: name }, `removed ${name}`);
    }
    this.parents.clear();
    for (const [path, value] of this.savedParentSysctls) {
      try {
        writeFileSync(path, value);
      } catch {
        // The parent went away; nothing to restore.
      }
    }
    this.savedParentSysctls.clear();
  }
}
