// The host's side of held repeats (held-repeats.ts): while a Backup's repeats are counted rather
// than delivered, its Master_Down_Timer is kept here, one timer for every held router, armed for
// the earliest deadline. A deadline only moves later (each repeat pushes it to its arrival plus
// Master_Down_Interval), so the timer wakes at most once per Master_Down_Interval less an
// Advertisement_Interval for all of them, where each router's own timer would have been pushed
// at every packet. A deadline found passed releases its router, which counts the repeats and
// runs its Master_Down_Timer from the last one: it runs out then, as it would have.
import { OneShotTimer, type Clock } from '../../core/clock.js';
import type { HeldRepeats } from './held-repeats.js';
import type { VirtualRouter } from './virtual-router.js';

export class RepeatWatch {
  private readonly watched = new Set<VirtualRouter>();
  private readonly timer: OneShotTimer;

  /**
   * `onNextCheck`: told when the earliest held deadline it will check next changes (Infinity with
   * none): the host's sockets must have read every repeat that arrived before it by then.
   */
  constructor(
    private readonly clock: Clock,
    private readonly onNextCheck?: (at: number) => void,
  ) {
    this.timer = new OneShotTimer(clock, () => this.check());
  }

  private armAt(at: number): void {
    this.timer.startAt(at);
    this.onNextCheck?.(at);
  }

  /**
   * Hands `router`'s repeats to `held` when the router accepts (VirtualRouter.acceptsHeldRepeats);
   * `hold` is asked for them only then. False when it does not, or `hold` cannot.
   */
  hold(router: VirtualRouter, hold: () => HeldRepeats | undefined): boolean {
    if (!router.acceptsHeldRepeats) return false;
    const held = hold();
    if (held === undefined) return false;
    // Released by the router (any other input) or by check(): either way no longer watched.
    // With none left, the timer goes too: a stopping daemon does not wait for it.
    const release = (): void => {
      this.watched.delete(router);
      held.release();
      if (this.watched.size === 0) {
        this.timer.cancel();
        this.onNextCheck?.(Number.POSITIVE_INFINITY);
      }
    };
    router.holdRepeats({ take: () => held.take(), lastArrival: () => held.lastArrival(), release });
    this.watched.add(router);
    const deadline = router.heldExpiresAt;
    if (!this.timer.running || deadline < this.timer.expiresAt) this.armAt(deadline);
    return true;
  }

  private check(): void {
    const now = this.clock.now();
    let next = Number.POSITIVE_INFINITY;
    for (const router of this.watched) {
      const due = router.heldExpiresAt;
      if (due <= now) router.releaseHeldRepeats();
      else if (due < next) next = due;
    }
    if (next !== Number.POSITIVE_INFINITY) this.armAt(next);
  }
}
