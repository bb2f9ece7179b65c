// What the daemon needs from the host, as narrow interfaces. The Linux layer (src/linux)
// implements them; tests use fakes. Keeping the daemon on these ports is what lets one wiring
// run against real sockets and netlink or against an in-memory host.
import type { AddressFamily } from '../packet/address.js';

/** One address as keepalived's virtual_ipaddress describes it. */
export interface VirtualAddressSpec {
  readonly address: string;
  readonly prefixLength: number;
  readonly family: AddressFamily;
  /** The interface to put it on (keepalived `dev`; defaults to the instance's interface). */
  readonly device: string;
  readonly label?: string;
  readonly scope?: string;
  readonly broadcast?: string;
}

export interface AddressPort {
  /** Installs the address; resolves when the kernel has it (already present counts as done). */
  add(spec: VirtualAddressSpec): Promise<void>;
  /** Removes the address if vrrpd put it there; gone already counts as done. */
  remove(spec: VirtualAddressSpec): Promise<void>;
}

/** Sends advertisements of one instance out of its interface. */
export interface AdvertisementChannel {
  /** The source address the kernel will put on our packets (part of the v3 checksum). */
  readonly sourceAddress: string;
  send(bytes: Uint8Array, destination: string): void;
}

/** Gratuitous ARP / unsolicited NA for the virtual addresses of one instance. */
export interface AnnouncePort {
  announce(addresses: readonly string[], count: number): void;
}
