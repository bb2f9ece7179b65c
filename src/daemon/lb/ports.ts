// What the load balancer needs from the host, as ports the Linux layer implements
// (src/linux/nftables, src/linux/conntrack.ts, ...) and tests replace with fakes.
import type { AddressFamily } from '../../core/address.js';
import type { NftFamily } from '../../lb/nft.js';

/** nftables, through which the rules reach the kernel. */
export interface NftablesPort {
  /** Runs the commands as one transaction: all of them or none (then it throws an NftablesError). */
  run(commands: readonly string[]): Promise<void>;
  /** The named counters of vrrpd's table in this family; empty when the table is not there. */
  counters(family: NftFamily): Promise<Map<string, { readonly packets: number; readonly bytes: number }>>;
  /** A set's or map's elements as nft writes them (`192.0.2.0`, `198.51.100.11 . 80`); empty when it is not there. */
  elements(family: NftFamily, kind: 'set' | 'map', name: string): Promise<Array<{ readonly key: string; readonly value: string }>>;
}

/** A transaction nft refused: its message, and the commands it was given. */
export class NftablesError extends Error {
  override readonly name = 'NftablesError';

  constructor(
    message: string,
    readonly commands: readonly string[],
  ) {
    super(message);
  }
}

/** Connections conntrack holds that vrrpd's NAT rules made, counted per (service, destination). */
export interface ConnectionEntry {
  readonly protocol: 'tcp' | 'udp' | 'sctp';
  readonly family: AddressFamily;
  /** The original destination: the VIP and port the client asked for. */
  readonly service: { readonly address: string; readonly port: number };
  /** The reply's source: the destination the connection went to. */
  readonly destination: { readonly address: string; readonly port: number };
  /** IPVS's active connections are established TCP ones; the others are inactive. */
  readonly active: number;
  readonly inactive: number;
}

export interface ConnectionTrackingPort {
  /** Every DNATed connection conntrack holds, aggregated per (protocol, service, destination). */
  destinationCounts(): Promise<ConnectionEntry[]>;
}

/** The host's addresses, for ha_suspend (a virtual server's checkers run only while its address is here). */
export interface AddressWatchPort {
  /** The addresses configured on the host now, canonical text. */
  present(): Promise<Set<string>>;
  /** Calls back on every address added or removed; returns a function that stops watching. */
  watch(onChange: (address: string, present: boolean) => void): () => void;
}

/** Where addresses are on this host: DR needs the interfaces a VIP arrives on and its real servers are reached through. */
export interface InterfacePort {
  /** The interfaces that hold this address. */
  holding(address: string): Promise<string[]>;
  /** The interface the route to this address goes out of; undefined without a route, or through a gateway. */
  routeTo(family: AddressFamily, address: string): Promise<string | undefined>;
}
