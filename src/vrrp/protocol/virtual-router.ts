// One virtual router: the state machine of RFC 5798 §6.4 (RFC 3768 §6.4 for VRRPv2), with the
// keepalived extensions operators rely on (Fault, preempt_delay, initial state hint, effective
// priority, lower_prio_no_advert, higher_prio_send_advert, repeated gratuitous ARP).
//
// It is pure: time comes from the injected Clock and everything it wants done leaves as a
// RouterAction through the injected sink, so the same code runs in the daemon and in the
// simulated LAN.
import { compareAddresses } from '../../core/address.js';
import { advertisementIntervalMs, AuthType, type Advertisement } from '../packet/advertisement.js';
import type { Rejection } from '../packet/rejection.js';
import type { ActionSink, PeerInfo, RouterAction } from './actions.js';
import { OneShotTimer, type Clock } from '../../core/clock.js';
import type { VirtualRouterConfig } from './config.js';
import { OWNER_PRIORITY } from './priority.js';
import { addressListDiffers, checkAdvertisement, passwordBytes, type ReceivedPacketInfo } from './receive-checks.js';
import type { RouterState, TransitionReason } from './state.js';
import { newStatistics, type RouterStatistics } from './statistics.js';
import { masterDownInterval, skewTime } from './timers.js';
import type { HeldRepeats } from './held-repeats.js';
import type { HeldSends } from './held-sends.js';

/** The action a send emits, kept per version (VirtualRouter.sent) and handed out ahead (nextAdvertisement). */
type SendAdvertisementAction = Extract<RouterAction, { type: 'send-advertisement' }>;

/**
 * Where a Fault comes from. A router is in Fault while any source says so; sources are set and
 * cleared independently (a link coming back must not clear a failed check script).
 */
export type FaultSource = 'interface' | 'source-address' | 'tracking' | 'sync-group';

/**
 * The vrrp_sync_group a router belongs to (sync-group.ts). The router asks it before becoming
 * Master on its own and tells it about every transition and fault change.
 */
export interface SyncGroupLink {
  /** keepalived: a member goes Master only when every other member could too. */
  mayBecomeMaster(member: VirtualRouter): boolean;
  memberTransitioned(member: VirtualRouter, from: RouterState, to: RouterState, reason: TransitionReason): void;
  memberFaultsChanged(member: VirtualRouter): void;
}

export interface RouterEnvironment {
  readonly clock: Clock;
  readonly emit: ActionSink;
  /** Our primary address on the interface: IPv4 primary, or IPv6 link-local (RFC 5798 §7.3). */
  readonly primaryAddress: string;
}

export type ReceiveOutcome =
  | { readonly accepted: false; readonly rejection: Rejection }
  | { readonly accepted: true; readonly addressListDiffers: boolean };

/** The two outcomes of an accepted advertisement, shared: no object per packet (issue 16). */
const ACCEPTED: ReceiveOutcome = Object.freeze({ accepted: true, addressListDiffers: false });
const ACCEPTED_LIST_DIFFERS: ReceiveOutcome = Object.freeze({ accepted: true, addressListDiffers: true });

export interface RouterStatus {
  readonly name: string;
  readonly vrid: number;
  readonly version: 2 | 3;
  readonly state: RouterState;
  readonly stateSinceMs: number;
  readonly basePriority: number;
  readonly priority: number;
  readonly masterAdverIntervalMs: number;
  readonly masterDownIntervalMs: number;
  readonly lastMaster: PeerInfo | undefined;
  readonly lastTransitionReason: TransitionReason | undefined;
}

export class VirtualRouter {
  private currentState: RouterState = 'Initialize';
  private stateSince: number;
  private lastReason: TransitionReason | undefined;
  /** Effective priority: configured, overridden or weighted (see priority.ts). */
  private currentPriority: number;
  /** Master_Adver_Interval (RFC 5798 §6.1): learnt from the Master in v3, ours in v2. */
  private masterAdverIntervalMs: number;
  private primaryAddress: string;
  /** Active Fault sources and what each said (e.g. "interface eth0 down"). */
  private readonly faults = new Map<FaultSource, string | undefined>();
  private faultDetail: string | undefined;
  private syncGroup: SyncGroupLink | undefined;
  /** In a sync group: our Master_Down_Timer ran out but another member could not go Master yet. */
  private wantsMaster = false;
  private started = false;
  private lastMaster: PeerInfo | undefined;
  /** Why the Master_Down_Timer may run out: gives the transition its reason. */
  private downTimerCause: 'master-down' | 'preempt' | 'master-released' = 'master-down';
  /** Sources heard speaking VRRPv3, whose VRRPv2 copies are ignored (RFC 5798 §8.4.2); made at the first (v2Interop only). */
  private v3Speakers: Set<string> | undefined;
  /** keepalived preempt_delay: when we may stop tolerating the lower-priority Master. */
  private preemptDeadline: number | undefined;
  /**
   * The last advertisement received restarted the Master_Down_Timer and nothing else, and would
   * again if it came again: its repeats may be held (holdRepeats).
   */
  private repeatable = false;
  /** The checksum flavour of that advertisement, counted again for each repeat. */
  private repeatChecksum: 'pseudo-header' | 'message-only' | undefined;
  /** The repeats the host counts for us, while it does (held-repeats.ts). */
  private held: HeldRepeats | undefined;
  /** While held: the Master_Down_Timer's deadline when the hold began. */
  private heldDeadline = Number.NaN;
  /** The advertisements the host sends for us, while it does (held-sends.ts). */
  private heldSends: HeldSends | undefined;
  /** While they are: the Adver_Timer's deadline when the hold began. */
  private heldSendsDue = Number.NaN;

  private readonly adverTimer: OneShotTimer;
  private readonly masterDownTimer: OneShotTimer;
  private readonly startupTimer: OneShotTimer;
  private readonly announceDelayTimer: OneShotTimer;
  private readonly announceRefreshTimer: OneShotTimer;
  readonly statistics: RouterStatistics = newStatistics();
  private currentConfig: VirtualRouterConfig;
  /**
   * The send-advertisement actions last emitted, per version (index 2 and 3), reused while the
   * configuration and priority stay: a Master emits the same advertisement every
   * Advertisement_Interval. New objects each time were pretenured by V8 (allocated straight into
   * the old generation), which at 1000 instances grew by ~0.3 MB/s between full collections.
   */
  private readonly sent: Array<{ readonly config: VirtualRouterConfig; readonly priority: number; readonly action: SendAdvertisementAction } | undefined> = [];

  constructor(
    config: VirtualRouterConfig,
    private readonly env: RouterEnvironment,
  ) {
    this.currentConfig = config;
    const clock = env.clock;
    this.stateSince = clock.now();
    this.currentPriority = config.priority;
    this.masterAdverIntervalMs = config.advertIntervalMs;
    this.primaryAddress = env.primaryAddress;
    this.adverTimer = new OneShotTimer(clock, () => this.onAdverTimer(), { beforePackets: true });
    this.masterDownTimer = new OneShotTimer(clock, () => this.onMasterDownTimer());
    this.startupTimer = new OneShotTimer(clock, () => this.startup());
    this.announceDelayTimer = new OneShotTimer(clock, () => this.announce(this.config.announcements.masterRepeat));
    this.announceRefreshTimer = new OneShotTimer(clock, () => this.onAnnounceRefresh());
  }

  get config(): VirtualRouterConfig {
    return this.currentConfig;
  }

  get state(): RouterState {
    return this.currentState;
  }

  get priority(): number {
    return this.currentPriority;
  }

  private get faulted(): boolean {
    return this.faults.size > 0;
  }

  /** Faulted by a source of its own (interface, tracking), not only because its sync group is. */
  get hasOwnFault(): boolean {
    return [...this.faults.keys()].some((source) => source !== 'sync-group');
  }

  /** What puts it in Fault now: one line per source. */
  get faultReasons(): string[] {
    return [...this.faults.entries()].map(([source, detail]) => detail ?? source);
  }

  /** In a sync group, waiting for the other members before becoming Master. */
  get waitingForSyncGroup(): boolean {
    return this.wantsMaster;
  }

  private get isOwner(): boolean {
    return this.config.priority === OWNER_PRIORITY;
  }

  /**
   * Preempt_Mode as it applies now. The address owner always preempts (RFC 5798 §6.1), and
   * keepalived's `state MASTER` disables nopreempt.
   */
  private get preempts(): boolean {
    return this.config.preempt || this.isOwner || this.config.initialState === 'MASTER';
  }

  private get preemptDelayMs(): number {
    return this.config.initialState === 'MASTER' ? 0 : this.config.preemptDelayMs;
  }

  /** Skew_Time as it applies now (RFC 5798 §6.1): what a Backup waits after a priority 0. */
  get skewTimeMs(): number {
    return skewTime(this.config.version, this.currentPriority, this.masterAdverIntervalMs);
  }

  private get masterDownIntervalMs(): number {
    return masterDownInterval(this.config.version, this.currentPriority, this.masterAdverIntervalMs);
  }

  // ---- events in ----

  /** The Startup event (RFC 5798 §6.4.1), after keepalived's vrrp_startup_delay if any. */
  start(startupDelayMs = 0): void {
    if (this.started) return;
    this.started = true;
    if (startupDelayMs > 0) this.startupTimer.start(startupDelayMs);
    else this.startup();
  }

  /**
   * The Shutdown event (RFC 5798 §6.4.2, §6.4.3): a Master hands over with priority 0. `deleted`
   * when a reload removed the instance (keepalived notifies that differently).
   */
  shutdown(reason: 'shutdown' | 'deleted' = 'shutdown'): void {
    this.releaseHeld();
    if (!this.started) return;
    this.started = false;
    this.startupTimer.cancel();
    this.masterDownTimer.cancel();
    const wasMaster = this.currentState === 'Master';
    if (this.currentState !== 'Initialize') this.transition('Initialize', reason);
    if (wasMaster) this.resignMaster();
  }

  /**
   * Interface down or a tracked object failed (true), or all is well again (false), from one
   * source; the router is in Fault while any source says so.
   */
  setFault(faulted: boolean, detail?: string, source: FaultSource = 'interface'): void {
    if (this.faults.has(source) === faulted) {
      // Still faulted, perhaps for another reason (a second tracker failed): keep the newest.
      if (faulted) this.faults.set(source, detail);
      return;
    }
    this.releaseHeld();
    const wasFaulted = this.faulted;
    if (faulted) this.faults.set(source, detail);
    else this.faults.delete(source);
    this.faultDetail = detail;
    if (this.faulted !== wasFaulted) {
      if (this.faulted && (this.currentState === 'Backup' || this.currentState === 'Master')) {
        this.masterDownTimer.cancel();
        const wasMaster = this.currentState === 'Master';
        this.transition('Fault', 'fault');
        if (wasMaster) this.resignMaster();
      } else if (!this.faulted && this.currentState === 'Fault') {
        this.enterRunningState('fault-cleared');
      }
    }
    this.syncGroup?.memberFaultsChanged(this);
  }

  /** Joins a vrrp_sync_group (sync-group.ts), before start() (or on reload). */
  joinSyncGroup(group: SyncGroupLink): void {
    this.releaseHeld();
    this.syncGroup = group;
  }

  /** Leaves its sync group (a reload took it out): the group's Fault no longer applies. */
  leaveSyncGroup(): void {
    this.releaseHeld();
    this.syncGroup = undefined;
    this.setFault(false, 'no longer in a sync group', 'sync-group');
  }

  /** Sync group: another member became Master, so this Backup follows at once. */
  syncToMaster(): void {
    this.releaseHeld();
    if (this.currentState === 'Backup' && this.started && !this.faulted) this.becomeMaster('sync-group');
  }

  /** Sync group: another member dropped to Backup, so this Master follows. */
  syncToBackup(): void {
    this.releaseHeld();
    if (this.currentState === 'Master') this.becomeBackup('sync-group');
  }

  /** A new effective priority from tracking or an operator override; the owner's 255 is fixed. */
  setPriority(priority: number): void {
    if (this.isOwner || priority === this.currentPriority) return;
    this.releaseHeld();
    const from = this.currentPriority;
    this.currentPriority = priority;
    if (this.started) this.env.emit({ type: 'priority-changed', from, to: priority, state: this.currentState });
    // Tell the segment at once, so a Backup that now outranks us preempts without waiting for
    // our next scheduled advertisement.
    if (this.currentState === 'Master') {
      this.sendAdvertisement(priority);
      this.adverTimer.start(this.config.advertIntervalMs);
    }
  }

  /**
   * A reload changed settings a running router can take on without leaving its state (keepalived
   * keeps a matched instance's state across a reload). The effective priority is the caller's
   * (setPriority). The version may change (keepalived keeps a Master across it, observed with
   * 2.2.7): a Master advertises in the new one at once. Identity (VRID, family) and address
   * ownership cannot change here: the daemon restarts the router for those.
   */
  reconfigure(config: VirtualRouterConfig): void {
    this.releaseHeld();
    const previous = this.currentConfig;
    if (config.vrid !== previous.vrid || config.family !== previous.family) {
      throw new Error(`${previous.name}: VRID and family cannot change in place`);
    }
    if ((config.priority === OWNER_PRIORITY) !== this.isOwner) throw new Error(`${previous.name}: address ownership cannot change in place`);
    this.currentConfig = config;
    // v2 routers all use their own interval (RFC 3768 §6.1); a v3 Backup keeps the Master's until
    // the next advertisement (one of another version is no guide).
    const versionChanged = config.version !== previous.version;
    if (config.version === 2 || this.currentState !== 'Backup' || versionChanged) this.masterAdverIntervalMs = config.advertIntervalMs;
    if (versionChanged) this.v3Speakers?.clear();
    if (this.currentState !== 'Master') return;
    const advertChanged =
      versionChanged ||
      config.advertIntervalMs !== previous.advertIntervalMs ||
      config.virtualAddresses.join() !== previous.virtualAddresses.join() ||
      config.authentication?.password !== previous.authentication?.password ||
      config.unicastPeers.join() !== previous.unicastPeers.join();
    // Tell Backups at once (new interval or address list), and keep the advertisement rhythm at the
    // new interval from here: a longer interval must not leave the old timer's short one running.
    if (advertChanged) {
      this.sendAdvertisement(this.currentPriority);
      this.adverTimer.start(config.advertIntervalMs);
    }
    // Addresses added or removed while Master are installed and announced by the daemon, which
    // knows their devices and labels.
    if (config.announcements.masterRefreshMs !== previous.announcements.masterRefreshMs) {
      if (config.announcements.masterRefreshMs > 0) this.announceRefreshTimer.start(config.announcements.masterRefreshMs);
      else this.announceRefreshTimer.cancel();
    }
  }

  /** The interface's address the advertisements come from changed (RFC 5798 §7.3: ties go to the higher). */
  setPrimaryAddress(address: string): void {
    this.releaseHeld();
    this.primaryAddress = address;
  }

  /**
   * The advertisement this router would send now (its version, its current priority), the very
   * object its next send at that priority emits: the daemon encodes it ahead, at start, so that a
   * Backup's takeover finds its bytes made (issue 16).
   */
  nextAdvertisement(): Advertisement {
    return this.sendAction(this.config.version, this.currentPriority).advertisement;
  }

  /** A decoded advertisement for our VRID arrived. */
  receive(advertisement: Advertisement, packet: ReceivedPacketInfo, checksum?: 'pseudo-header' | 'message-only'): ReceiveOutcome {
    // The repeats held before this packet arrived before it: counted first.
    this.releaseHeld();
    this.repeatable = false;
    const rejection = checkAdvertisement(this.config, advertisement, packet);
    if (rejection) {
      this.countRejection(rejection);
      return { accepted: false, rejection };
    }
    this.statistics.advertisementsReceived++;
    if (checksum) this.statistics.checksumFlavours[checksum]++;
    const differs = addressListDiffers(this.config, advertisement);
    if (differs) this.statistics.addressListMismatches++;
    if (advertisement.priority === 0) this.statistics.priorityZeroReceived++;
    // The Master heard last, as it was: no new object per advertisement (each lived until the next, ~1 s, and was promoted).
    const last = this.lastMaster;
    const sender: PeerInfo = last !== undefined && last.address === packet.source && last.priority === advertisement.priority ? last : { address: packet.source, priority: advertisement.priority };
    if (this.config.v2Interop) {
      // RFC 5798 §8.4.2: a Master speaking both versions is followed by its VRRPv3 adverts only.
      if (advertisement.version === 3) (this.v3Speakers ??= new Set()).add(packet.source);
      else if (this.v3Speakers?.has(packet.source)) return differs ? ACCEPTED_LIST_DIFFERS : ACCEPTED;
    }
    if (this.currentState === 'Backup') {
      this.backupReceive(advertisement, sender, packet.receivedAt ?? this.env.clock.now());
      // One whose address list differs is counted as such each time: delivered each time.
      if (differs) this.repeatable = false;
      this.repeatChecksum = checksum;
    } else if (this.currentState === 'Master') this.masterReceive(advertisement, sender);
    return differs ? ACCEPTED_LIST_DIFFERS : ACCEPTED;
  }

  /** A packet for our VRID that the codec refused (bad checksum, length...). */
  countRejection(rejection: Rejection): void {
    this.statistics.rejected[rejection.reason]++;
  }

  /**
   * Whether the host may hold the repeats of the advertisement just received (holdRepeats): a
   * running Backup that restarted its Master_Down_Timer on it and did nothing else.
   */
  get acceptsHeldRepeats(): boolean {
    return this.repeatable && this.held === undefined && this.currentState === 'Backup' && this.started && !this.faulted && this.masterDownTimer.running;
  }

  /**
   * From now on the host counts the repeats of the advertisement just received instead of
   * delivering them (held-repeats.ts), and keeps the Master_Down_Timer: it calls
   * releaseHeldRepeats once heldExpiresAt has passed. Every other input releases the hold first.
   * Only when acceptsHeldRepeats.
   */
  holdRepeats(held: HeldRepeats): void {
    if (!this.acceptsHeldRepeats) throw new Error(`${this.config.name}: no advertisement whose repeats may be held`);
    this.held = held;
    this.heldDeadline = this.masterDownTimer.expiresAt;
    this.masterDownTimer.cancel();
  }

  /**
   * While held, when the Master_Down_Timer runs out unless another repeat comes: the last repeat's
   * arrival plus Master_Down_Interval, or the hold's own deadline before any came. NaN when not held.
   */
  get heldExpiresAt(): number {
    const held = this.held;
    if (held === undefined) return Number.NaN;
    const last = held.lastArrival();
    return Number.isNaN(last) ? this.heldDeadline : last + this.masterDownIntervalMs;
  }

  /**
   * Ends a hold (the host's deadline passed, or the host stops): the repeats are counted and the
   * Master_Down_Timer runs again from the last one's arrival, as if each had been received.
   */
  releaseHeldRepeats(): void {
    this.releaseHeld();
  }

  /**
   * Whether the host may send this router's advertisements for it (holdSends): a running Master,
   * its Adver_Timer running, in one version only (not VRRPv2 and v3 copies, RFC 5798 §8.4.2).
   */
  get acceptsHeldSends(): boolean {
    return this.heldSends === undefined && this.currentState === 'Master' && this.started && !this.faulted && !this.config.v2Interop && this.adverTimer.running;
  }

  /** When the Adver_Timer next sends (NaN when it is not running): the host's first send if it holds them. */
  get advertisementDueAt(): number {
    return this.adverTimer.running ? this.adverTimer.expiresAt : Number.NaN;
  }

  /**
   * From now on the host sends the advertisement the router would send next (nextAdvertisement)
   * at advertisementDueAt and every Advertisement_Interval after, and the Adver_Timer is parked.
   * Every input releases the hold first. Only when acceptsHeldSends.
   */
  holdSends(held: HeldSends): void {
    if (!this.acceptsHeldSends) throw new Error(`${this.config.name}: not a Master whose advertisements may be held`);
    this.heldSends = held;
    this.heldSendsDue = this.adverTimer.expiresAt;
    this.adverTimer.cancel();
  }

  /** Ends a hold the host can no longer keep (a send it could not make): the Adver_Timer sends again. */
  releaseHeldSends(): void {
    this.releaseHeld();
  }

  private releaseHeld(): void {
    this.releaseSends();
    const held = this.held;
    if (held === undefined) return;
    this.countHeld(held);
    const expiresAt = this.heldExpiresAt;
    held.release();
    this.held = undefined;
    this.repeatable = false;
    // Each repeat did what backupReceive did for the first (RFC 5798 §6.4.2): the other fields it
    // set are as the first left them, since nothing else reached the router meanwhile.
    this.masterDownTimer.startAt(expiresAt);
  }

  private releaseSends(): void {
    const sends = this.heldSends;
    if (sends === undefined) return;
    // Released before it is read: the host sends from a thread of its own (held_sender.h), which
    // may send one more until release returns.
    sends.release();
    this.countSent(sends);
    const last = sends.lastDue();
    this.heldSends = undefined;
    // Each one sent was an Adver_Timer expiry (RFC 5798 §6.4.3), restarted from when it was due
    // (onAdverTimer): the next is due an interval after the last.
    this.adverTimer.startAt(Number.isNaN(last) ? this.heldSendsDue : last + this.config.advertIntervalMs);
  }

  /** The held sends' statistics, as each send would have counted. */
  private countSent(sends: HeldSends): void {
    this.statistics.advertisementsSent += sends.take();
  }

  /** The held repeats' statistics, as each would have counted on receipt. */
  private countHeld(held: HeldRepeats): void {
    const count = held.take();
    if (count === 0) return;
    this.statistics.advertisementsReceived += count;
    if (this.repeatChecksum) this.statistics.checksumFlavours[this.repeatChecksum] += count;
  }

  status(): RouterStatus {
    if (this.held) this.countHeld(this.held);
    if (this.heldSends) this.countSent(this.heldSends);
    return {
      name: this.config.name,
      vrid: this.config.vrid,
      version: this.config.version,
      state: this.currentState,
      stateSinceMs: this.stateSince,
      basePriority: this.config.priority,
      priority: this.currentPriority,
      masterAdverIntervalMs: this.masterAdverIntervalMs,
      masterDownIntervalMs: this.masterDownIntervalMs,
      lastMaster: this.lastMaster,
      lastTransitionReason: this.lastReason,
    };
  }

  // ---- RFC 5798 §6.4 ----

  private startup(): void {
    if (this.faulted) this.transition('Fault', 'fault');
    else this.enterRunningState('startup');
  }

  /** RFC 5798 §6.4.1: the owner becomes Master at once, everyone else Backup. */
  private enterRunningState(reason: 'startup' | 'fault-cleared'): void {
    if (this.isOwner) {
      this.becomeMaster(reason === 'startup' ? 'address-owner' : reason);
      return;
    }
    this.masterAdverIntervalMs = this.config.advertIntervalMs;
    this.becomeBackup(reason);
  }

  /**
   * RFC 5798 §6.4.2: Backup receiving an ADVERTISEMENT. The timers it (re)starts count from the
   * advertisement's arrival, `receivedAt`, earlier than now when the daemon read it late (a busy loop): the
   * Master_Down_Timer measures how long the Master has been silent, and a priority-0 hand-over
   * waits Skew_Time from the Master's release, not from our read.
   */
  private backupReceive(advertisement: Advertisement, sender: PeerInfo, receivedAt: number): void {
    if (advertisement.priority === 0) {
      // The Master is leaving: take over after Skew_Time only.
      this.downTimerCause = 'master-released';
      this.masterDownTimer.startAt(receivedAt + this.skewTimeMs);
      return;
    }
    if (advertisement.priority >= this.currentPriority || !this.preempts || this.toleratesLowerMaster()) {
      if (advertisement.priority >= this.currentPriority) this.preemptDeadline = undefined;
      // v3 learns the Master's interval (RFC 5798 §6.4.2); so does a v3 router following a v2
      // Master, whose interval is in seconds (§8.4.2). A v2 router's interval equals its own.
      if (this.config.version === 3) this.masterAdverIntervalMs = advertisementIntervalMs(advertisement);
      this.lastMaster = sender;
      this.downTimerCause = 'master-down';
      this.wantsMaster = false;
      this.masterDownTimer.startAt(receivedAt + this.masterDownIntervalMs);
      // Not when tolerated under preempt_delay only: that depends on the time. Not when VRRPv2
      // copies of a VRRPv3 speaker are ignored (v3Speakers).
      this.repeatable = (advertisement.priority >= this.currentPriority || !this.preempts) && !this.config.v2Interop;
      return;
    }
    // A lower-priority Master while we may preempt: discard, so the Master_Down_Timer runs out.
    this.lastMaster = sender;
    this.downTimerCause = 'preempt';
  }

  /**
   * keepalived's preempt_delay: the first lower-priority advertisement starts the delay, during
   * which the lower Master is accepted as if we did not preempt.
   */
  private toleratesLowerMaster(): boolean {
    const delay = this.preemptDelayMs;
    if (delay <= 0) return false;
    const now = this.env.clock.now();
    this.preemptDeadline ??= now + delay;
    return now < this.preemptDeadline;
  }

  /** RFC 5798 §6.4.3: Master receiving an ADVERTISEMENT. */
  private masterReceive(advertisement: Advertisement, sender: PeerInfo): void {
    if (advertisement.priority === 0) {
      // Another Master resigns: advertise at once so the Backups do not take over.
      this.sendAdvertisement(this.currentPriority);
      this.adverTimer.start(this.config.advertIntervalMs);
      return;
    }
    const higher = advertisement.priority > this.currentPriority;
    const tieWon =
      advertisement.priority === this.currentPriority &&
      compareAddresses(this.config.family, sender.address, this.primaryAddress) > 0;
    if (higher || tieWon) {
      if (this.config.higherPrioSendAdvert) this.sendAdvertisement(this.currentPriority);
      if (this.config.version === 3) this.masterAdverIntervalMs = advertisementIntervalMs(advertisement);
      this.lastMaster = sender;
      this.becomeBackup(higher ? 'higher-priority' : 'equal-priority-higher-address', sender);
      return;
    }
    // keepalived answers a lower priority with an advertisement (so a starting Backup learns of
    // us quickly); lower_prio_no_advert keeps to the RFC, which discards it.
    if (!this.config.lowerPrioNoAdvert) this.sendAdvertisement(this.currentPriority);
    this.env.emit({ type: 'lower-priority-master', peer: sender });
  }

  /**
   * Master_Down_Timer expiry (RFC 5798 §6.4.2). In a sync group keepalived holds a member in
   * Backup until every other member could become Master too; it tries again a Master_Down_Interval
   * later, and goes at once when another member's expiry takes the whole group to Master.
   */
  private onMasterDownTimer(): void {
    if (this.syncGroup && !this.syncGroup.mayBecomeMaster(this)) {
      this.wantsMaster = true;
      this.masterDownTimer.start(this.masterDownIntervalMs);
      return;
    }
    this.becomeMaster(this.downTimerCause);
  }

  private onAdverTimer(): void {
    this.sendAdvertisement(this.currentPriority);
    // RFC 5798 §6.4.3 resets the Adver_Timer to Advertisement_Interval, "the time interval between
    // ADVERTISEMENTS" (§6.1): counted from when this one was due, so that lateness in running the
    // timer (1000 instances' timers due together, a loaded machine) is not added to every period.
    this.adverTimer.startAfterExpiry(this.config.advertIntervalMs);
  }

  // ---- entering and leaving states ----

  private becomeMaster(reason: TransitionReason): void {
    this.masterDownTimer.cancel();
    this.wantsMaster = false;
    this.preemptDeadline = undefined;
    this.transition('Master', reason);
    this.statistics.becameMaster++;
    // Advertisement first so Backups stop their timers, then addresses, then announcements
    // (RFC 5798 §6.4.2 order; keepalived does the same).
    this.sendAdvertisement(this.currentPriority);
    this.env.emit({ type: 'add-addresses', addresses: this.config.virtualAddresses });
    this.announce(this.config.announcements.masterRepeat);
    if (this.config.announcements.masterDelayMs > 0) this.announceDelayTimer.start(this.config.announcements.masterDelayMs);
    if (this.config.announcements.masterRefreshMs > 0) this.announceRefreshTimer.start(this.config.announcements.masterRefreshMs);
    this.adverTimer.start(this.config.advertIntervalMs);
  }

  private becomeBackup(reason: TransitionReason, peer?: PeerInfo): void {
    this.downTimerCause = 'master-down';
    const wasMaster = this.currentState === 'Master';
    this.transition('Backup', reason, peer);
    if (wasMaster) this.resignMaster();
    this.masterDownTimer.start(this.masterDownIntervalMs);
  }

  /** Undoes Master after the transition away from it (to Backup, Fault or Initialize). */
  private resignMaster(): void {
    this.adverTimer.cancel();
    this.announceDelayTimer.cancel();
    this.announceRefreshTimer.cancel();
    this.statistics.releasedMaster++;
    // To Backup the RFC sends nothing; to Fault or Initialize a priority-0 advertisement lets a
    // Backup take over after Skew_Time instead of Master_Down_Interval.
    if (!this.started || this.faulted) this.sendAdvertisement(0);
    this.env.emit({ type: 'remove-addresses', addresses: this.config.virtualAddresses });
  }

  private transition(to: RouterState, reason: TransitionReason, peer?: PeerInfo): void {
    const from = this.currentState;
    if (to !== 'Backup') this.wantsMaster = false;
    this.currentState = to;
    this.statistics.transitions++;
    this.stateSince = this.env.clock.now();
    this.lastReason = reason;
    const detail = reason === 'fault' || reason === 'fault-cleared' ? this.faultDetail : undefined;
    this.env.emit({
      type: 'transition',
      from,
      to,
      reason,
      ...(detail !== undefined ? { detail } : {}),
      ...(peer ? { peer } : {}),
    });
    this.syncGroup?.memberTransitioned(this, from, to, reason);
  }

  private announce(count: number): void {
    if (this.config.virtualAddresses.length === 0 || count <= 0) return;
    this.statistics.announcementsSent += this.config.virtualAddresses.length * count;
    this.env.emit({ type: 'announce-addresses', addresses: this.config.virtualAddresses, count });
  }

  private onAnnounceRefresh(): void {
    this.announce(this.config.announcements.masterRefreshRepeat);
    this.announceRefreshTimer.start(this.config.announcements.masterRefreshMs);
  }

  private sendAdvertisement(priority: number): void {
    this.emitAdvertisement(this.config.version, priority);
    // RFC 5798 §8.4.2: in interop mode a Master sends both versions at the configured rate.
    if (this.config.v2Interop && this.config.version === 3) this.emitAdvertisement(2, priority);
  }

  private buildAdvertisement(version: 2 | 3, priority: number): Advertisement {
    const { config } = this;
    if (version === 3) {
      return { version: 3, vrid: config.vrid, priority, maxAdvertIntervalCs: config.advertIntervalMs / 10, addresses: config.virtualAddresses };
    }
    return {
      version: 2,
      vrid: config.vrid,
      priority,
      // Whole seconds on the wire (RFC 3768 §5.3.7); a sub-second v3 interval shows as 1.
      advertIntervalSeconds: Math.min(255, Math.max(1, Math.round(config.advertIntervalMs / 1000))),
      authType: config.authentication ? AuthType.simplePassword : AuthType.none,
      authData: config.authentication ? passwordBytes(config.authentication.password) : new Uint8Array(8),
      addresses: config.virtualAddresses,
    };
  }

  private emitAdvertisement(version: 2 | 3, priority: number): void {
    this.statistics.advertisementsSent++;
    if (priority === 0) this.statistics.priorityZeroSent++;
    this.env.emit(this.sendAction(version, priority));
  }

  private sendAction(version: 2 | 3, priority: number): SendAdvertisementAction {
    let sent = this.sent[version];
    if (sent?.config !== this.config || sent.priority !== priority) {
      sent = { config: this.config, priority, action: { type: 'send-advertisement', advertisement: this.buildAdvertisement(version, priority) } };
      this.sent[version] = sent;
    }
    return sent.action;
  }
}
