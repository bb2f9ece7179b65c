// A Master sends the same advertisement every Advertisement_Interval while nothing changes: the
// Adver_Timer's expiry sends one and restarts the timer, and nothing else happens (RFC 5798
// §6.4.3). Once the router is in that rhythm the host may send them itself, from below the event
// loop, and count them (VirtualRouter.holdSends): the router takes the count and the last due time
// before it acts on anything else, and runs its Adver_Timer again from there, so what it does is
// what it would have done had it sent each. A Master of 1000 instances sends 1000 a second
// (issue 16).

/** The advertisements the host sends for one router, until released. */
export interface HeldSends {
  /** Advertisements sent since the hold or the last take; the count starts again from 0. */
  take(): number;
  /** When the last one sent was due, on the router's clock; NaN when none has been. */
  lastDue(): number;
  /**
   * Stops sending: the router's Adver_Timer sends again. take and lastDue then give the final
   * figures; read them after it, not before: the host may send until it returns.
   */
  release(): void;
}
