// A Backup's Master sends the same advertisement every Advertisement_Interval while nothing
// changes, and each one received only restarts the Backup's Master_Down_Timer from its arrival
// (RFC 5798 §6.4.2). Once the router has accepted one, the host may count the byte-identical
// repeats that follow instead of delivering each (VirtualRouter.holdRepeats): the router takes the
// count and the last arrival before it acts on anything else, so what it does is what it would have
// done had every repeat been delivered. A Backup of 1000 instances hears 1000 of them a second
// (issue 16).

/** The repeats the host counts for one router, until released. */
export interface HeldRepeats {
  /** Repeats counted since the hold or the last take; the count starts again from 0. */
  take(): number;
  /** When the last repeat arrived, on the router's clock; NaN when none has. */
  lastArrival(): number;
  /** Stops counting: the packets are delivered again. */
  release(): void;
}
