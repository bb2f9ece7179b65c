// Announces virtual addresses on becoming Master: `count` gratuitous ARPs per IPv4 address and
// unsolicited Neighbor Advertisements per IPv6 address, paced by the interface's pacers
// (vrrp_garp_interval / vrrp_gna_interval, garp_group: see pacer.ts), never blocking the event loop:
// a burst beyond a loop turn's budget leaves over the next turns (outbox.ts).
import type { AnnouncePort } from '../../daemon/vrrp/ports.js';
import type { Logger } from '../../core/log.js';
import { nativeShims } from '../native.js';
import { gratuitousArp } from './gratuitous-arp.js';
import { unsolicitedNeighborAdvertisement } from './neighbor-advertisement.js';
import { FrameOutbox } from './outbox.js';
import { AnnouncePacer } from './pacer.js';

export interface AnnouncerTarget {
  readonly interfaceName: string;
  readonly interfaceIndex: number;
  readonly mac: string;
  /** Whether the interface forwards IPv6 now (the NA's Router flag, RFC 4861 §4.4). */
  readonly forwardsIpv6: () => boolean;
}

/** The pacers of the interface (shared with the other interfaces of its garp_group). */
export interface AnnouncePacers {
  readonly arp: AnnouncePacer;
  readonly na: AnnouncePacer;
}

export class Announcer implements AnnouncePort {
  /**
   * Gratuitous ARPs built by prepare(), by address: the same bytes every time (the interface's MAC
   * and the address), so becoming Master sends them without building them (issue 16). Only the
   * instance's addresses of the last prepare(): a reload that moves them does not leave frames behind.
   */
  private readonly preparedArps = new Map<string, Buffer>();

  constructor(
    private readonly target: AnnouncerTarget,
    /** Looked up per announcement, so a reload's new pacing applies to running instances too. */
    private readonly pacers: () => AnnouncePacers,
    private readonly log: Logger,
    /** Every announcer of the process shares one: the budget is the event loop's (outbox.ts). */
    private readonly outbox: FrameOutbox = SHARED_OUTBOX,
    /** The daemon bundle's warm-up opens none (src/cli/warm-up-host.ts: it only prepares). */
    openPacketSocket: () => void = () => nativeShims().openPacketSocket(),
  ) {
    // Load the shim and open its packet socket now, not on the first announcement: loading it
    // then cost ~20 ms of event loop at the moment of failover (measured with --cpu-prof at 20 ms
    // adverts) and opening the socket 0.6 ms; a missing shim or CAP_NET_RAW is better reported at
    // start than when the VIP moves.
    openPacketSocket();
  }

  /** `pacers` and `send`: prepare's rehearsal (its own pacers, a sender that sends nothing). */
  announce(addresses: readonly string[], count: number, pacers: AnnouncePacers = this.pacers(), send: FrameSender = sendFrame): void {
    this.announceThrough(pacers, send, addresses, count);
  }

  /**
   * Builds what announcing `addresses` (all the instance's, at start and after a reload that changed
   * them) sends, ahead of the announcement, and drops what it had built for other addresses.
   * The first time in a process for each family, also runs the announcement's code once for one of
   * its addresses, through pacers of its own into a sender that sends nothing: run for the first time
   * when becoming Master, it put 0.3-0.6 ms between the add and the first gratuitous ARP on a loaded
   * 2-core machine (issue 16).
   */
  prepare(addresses: readonly string[]): void {
    const { ipv4, ipv6 } = byFamily(addresses);
    for (const address of this.preparedArps.keys()) if (!ipv4.includes(address)) this.preparedArps.delete(address);
    for (const address of ipv4) if (!this.preparedArps.has(address)) this.preparedArps.set(address, gratuitousArp(this.target.mac, address));
    const pacers = this.pacers();
    const rehearse = [ipv4, ipv6].flatMap((family) => (family[0] !== undefined && !rehearsedFamilies.has(isIPv4(family[0])) ? [family[0]] : []));
    for (const address of rehearse) rehearsedFamilies.add(isIPv4(address));
    if (rehearse.length > 0) {
      const own = { arp: new AnnouncePacer(pacers.arp.intervalMs), na: new AnnouncePacer(pacers.na.intervalMs) };
      // Through announce itself: its code too ran for the first time at the first takeover,
      // compiled between the add and the first gratuitous ARP (V8's function events, issue 16).
      this.announce(rehearse, 1, own, rehearsalSender);
    }
    if (!rehearse.some((address) => !isIPv4(address))) this.naFrames(ipv6);
  }

  /** The addresses whose gratuitous ARP is built (for tests). */
  preparedAddresses(): string[] {
    return [...this.preparedArps.keys()];
  }

  private announceThrough(pacers: AnnouncePacers, send: FrameSender, addresses: readonly string[], count: number): void {
    const { ipv4, ipv6 } = byFamily(addresses);
    if (ipv4.length > 0) this.repeat('gratuitous ARP', pacers.arp, send, ipv4, count, (address) => this.arpFrames([address]));
    if (ipv6.length > 0) this.repeat('unsolicited NA', pacers.na, send, ipv6, count, (address) => this.naFrames([address]));
  }

  private arpFrames(addresses: readonly string[]): Buffer[] {
    return addresses.map((address) => this.preparedArps.get(address) ?? gratuitousArp(this.target.mac, address));
  }

  /** The Router flag follows forwarding when each NA leaves, as the kernel's own NAs do. */
  private naFrames(targets: readonly string[]): Buffer[] {
    const router = this.target.forwardsIpv6();
    return targets.map((target) => unsolicitedNeighborAdvertisement({ senderMac: this.target.mac, target, router }));
  }

  /**
   * keepalived's order: `count` rounds of every address (with a pacing interval, the pacer keeps
   * one pending per address). A failure is logged once per announcement and ends it.
   */
  private repeat(what: string, pacer: AnnouncePacer, send: FrameSender, addresses: readonly string[], count: number, frames: (address: string) => readonly Buffer[]): void {
    let failed = false;
    for (let round = 0; round < count; round++) {
      for (const address of addresses) {
        pacer.send(`${this.target.interfaceIndex}/${address}`, () =>
          this.outbox.send(() => {
            if (failed) return;
            try {
              for (const frame of frames(address)) send(this.target.interfaceIndex, frame);
            } catch (error) {
              failed = true;
              this.log.error({ event: 'announce-failed', interface: this.target.interfaceName, error: (error as Error).message }, `${what} on ${this.target.interfaceName} failed: ${(error as Error).message}`);
            }
          }),
        );
      }
    }
  }
}

const SHARED_OUTBOX = new FrameOutbox();

type FrameSender = (interfaceIndex: number, frame: Buffer) => void;

const sendFrame: FrameSender = (interfaceIndex, frame) => void nativeShims().sendFrame(interfaceIndex, frame);

/**
 * What the rehearsal sends through: the real sender, refused before any system call (interface
 * index 0), so that its code has run before the first takeover's first frame.
 */
const rehearsalSender: FrameSender = (_interfaceIndex, frame) => {
  try {
    sendFrame(0, frame);
  } catch {
    // RangeError: interfaceIndex must be a positive interface index.
  }
};

/** The families (IPv4: true) whose announcement's code prepare() has run in this process (once is enough: instances share it). */
const rehearsedFamilies = new Set<boolean>();

/**
 * The addresses here are a configuration's VIPs, canonical: an IPv6 one always has a colon, an IPv4
 * one never (node:net's isIPv4 loaded node:net before a daemon's first advertisement, issue 16).
 */
function isIPv4(address: string): boolean {
  return !address.includes(':');
}

function byFamily(addresses: readonly string[]): { ipv4: string[]; ipv6: string[] } {
  return { ipv4: addresses.filter((address) => isIPv4(address)), ipv6: addresses.filter((address) => !isIPv4(address)) };
}
