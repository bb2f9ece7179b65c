// What a virtual router asks of the world. The protocol core only emits these; the Linux layer
// (or the simulated LAN) carries them out. Data flows one way: event in, actions out.
import type { Advertisement } from '../packet/advertisement.js';
import type { RouterState, TransitionReason } from './state.js';

/** The router we heard last, for logs and status. */
export interface PeerInfo {
  readonly address: string;
  readonly priority: number;
}

export type RouterAction =
  /** Send this advertisement to the configured destination(s). */
  | { readonly type: 'send-advertisement'; readonly advertisement: Advertisement }
  /** Install every virtual address (becoming Master). */
  | { readonly type: 'add-addresses'; readonly addresses: readonly string[] }
  /** Remove every virtual address (leaving Master). */
  | { readonly type: 'remove-addresses'; readonly addresses: readonly string[] }
  /** Gratuitous ARP / unsolicited NA for each address, `count` times (RFC 5798 §6.4.2). */
  | { readonly type: 'announce-addresses'; readonly addresses: readonly string[]; readonly count: number }
  | {
      readonly type: 'transition';
      readonly from: RouterState;
      readonly to: RouterState;
      readonly reason: TransitionReason;
      /** What failed or cleared, for fault transitions (e.g. "interface eth0 down"). */
      readonly detail?: string;
      readonly peer?: PeerInfo;
    }
  /** The effective priority of a running router changed (tracking weights, an operator override). */
  | { readonly type: 'priority-changed'; readonly from: number; readonly to: number; readonly state: RouterState }
  /**
   * As Master, an advertisement from another Master that we outrank (it cannot hear us: a
   * partition, a filter); we answer it unless lower_prio_no_advert.
   */
  | { readonly type: 'lower-priority-master'; readonly peer: PeerInfo };

export type ActionSink = (action: RouterAction) => void;
