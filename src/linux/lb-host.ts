// The host's addresses and routes as the load balancer asks for them: which addresses are here
// (ha_suspend follows them through rtnetlink's notifications), which interfaces hold an address
// and which one a route to an address goes out of (DR).
import type { AddressFamily } from '../core/address.js';
import type { AddressWatchPort, InterfacePort } from '../daemon/lb/ports.js';
import { Rtnetlink } from './netlink/rtnetlink.js';

export class LinuxLbHost implements AddressWatchPort, InterfacePort {
  private netlink: Rtnetlink | undefined;

  private get socket(): Rtnetlink {
    this.netlink ??= Rtnetlink.open();
    return this.netlink;
  }

  async present(): Promise<Set<string>> {
    return new Set((await this.socket.addresses()).map((address) => address.address));
  }

  watch(onChange: (address: string, present: boolean) => void): () => void {
    return this.socket.watch((event) => {
      if (event.type === 'address') onChange(event.address.address, !event.removed);
    });
  }

  async holding(address: string): Promise<string[]> {
    const links = new Map((await this.socket.links()).map((link) => [link.index, link.name]));
    return (await this.socket.addresses()).filter((entry) => entry.address === address).map((entry) => links.get(entry.interfaceIndex) ?? String(entry.interfaceIndex));
  }

  /** The kernel's own route lookup (what `ip route get` asks), done once per DR service at start. */
  async routeTo(family: AddressFamily, address: string): Promise<string | undefined> {
    // No route (ENETUNREACH and the like): the caller says the real server is not on a link.
    const route = await this.socket.routeTo(family, address).catch(() => undefined);
    // DR needs the real server on the link: a route through a gateway does not reach its MAC.
    if (route === undefined || route.gateway !== undefined || route.outputInterfaceIndex === undefined) return undefined;
    const link = (await this.socket.links()).find((entry) => entry.index === route.outputInterfaceIndex);
    return link?.name ?? String(route.outputInterfaceIndex);
  }

  close(): void {
    this.netlink?.close();
  }
}
