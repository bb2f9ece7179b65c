// What a configuration asks of this host, through rtnetlink in this process's network namespace:
// interface detection (config/interface-detection.ts: the interface of the main table's default
// route, lowest metric, or the one holding an address inside a network) and which interfaces exist
// (config/host-check.ts). Not /sys/class/net: it lists the links of the namespace sysfs was mounted
// in, which in a namespace entered without remounting it (nsenter, systemd-nspawn) is the host's.
import type { AddressFamily } from '../core/address.js';
import { addressToBytes } from '../core/address.js';
import type { InterfaceResolver } from '../config/interface-detection.js';
import { Rtnetlink } from './netlink/rtnetlink.js';

export class RtnetlinkInterfaceResolver implements InterfaceResolver {
  private socket: Rtnetlink | undefined;

  constructor(private readonly open: () => Rtnetlink = () => Rtnetlink.open()) {}

  /**
   * A resolver for the duration of `use`; its socket is opened only if something is asked (a
   * keepalived.conf never asks) and closed afterwards.
   */
  static async withSocket<T>(use: (resolver: RtnetlinkInterfaceResolver) => Promise<T>): Promise<T> {
    const resolver = new RtnetlinkInterfaceResolver();
    try {
      return await use(resolver);
    } finally {
      resolver.socket?.close();
    }
  }

  private get netlink(): Rtnetlink {
    this.socket ??= this.open();
    return this.socket;
  }

  /** The names of this network namespace's interfaces. */
  async interfaceNames(): Promise<ReadonlySet<string>> {
    return new Set((await this.netlink.links()).map((link) => link.name));
  }

  async defaultRouteInterface(family: AddressFamily): Promise<string | undefined> {
    const defaults = (await this.netlink.routes(family))
      .filter((route) => route.destinationPrefixLength === 0 && route.outputInterfaceIndex > 0)
      .sort((a, b) => a.metric - b.metric);
    const index = defaults[0]?.outputInterfaceIndex;
    if (index === undefined) return undefined;
    return (await this.netlink.links()).find((link) => link.index === index)?.name;
  }

  async interfaceInNetwork(network: string, prefixLength: number, family: AddressFamily): Promise<string | undefined> {
    const addresses = (await this.netlink.addresses(family)).filter((address) => inNetwork(family, address.address, network, prefixLength));
    // Lowest interface index first, so every node of a cluster picks the same way.
    addresses.sort((a, b) => a.interfaceIndex - b.interfaceIndex);
    const index = addresses[0]?.interfaceIndex;
    if (index === undefined) return undefined;
    return (await this.netlink.links()).find((link) => link.index === index)?.name;
  }
}

export function inNetwork(family: AddressFamily, address: string, network: string, prefixLength: number): boolean {
  const a = addressToBytes(family, address);
  const n = addressToBytes(family, network);
  for (let bit = 0; bit < prefixLength; bit++) {
    const byte = bit >> 3;
    const mask = 0x80 >> (bit & 7);
    if (((a[byte] ?? 0) & mask) !== ((n[byte] ?? 0) & mask)) return false;
  }
  return true;
}
