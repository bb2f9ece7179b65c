// One BFD session in Asynchronous mode (RFC 5880 §6): the state variables of §6.8.1 under their
// RFC names, the three-way handshake of §6.2, timer negotiation with Poll/Final (§6.5, §6.8.3),
// the Detection Time (§6.8.4) and periodic transmission with jitter (§6.8.7). Pure: the clock and
// the random numbers are injected, packets leave through `transmit` and arrive decoded through
// receive() (the session table has already found the session and checked TTL and discriminators).
// The two timers are a port (timers.ts): the session decides, they keep time - on the clock, or
// on a native thread in the daemon. Intervals are in microseconds, as the RFC writes them; the
// clock counts milliseconds.
import type { Clock } from '../core/clock.js';
import { Diag, type ControlPacket, type SessionState } from './packet.js';
import { clockTimers, type SessionTimers, type SessionTimersFactory } from './timers.js';

/** What the configuration asks of a session (keepalived's bfd_instance; FRR's peer timers). */
export interface SessionParameters {
  /** bfd.DesiredMinTxInterval while Up (µs): keepalived's `min_tx`, FRR's `transmit-interval`. */
  readonly desiredMinTxInterval: number;
  /** bfd.RequiredMinRxInterval (µs): `min_rx`, FRR's `receive-interval`. */
  readonly requiredMinRxInterval: number;
  /**
   * bfd.DesiredMinTxInterval while not Up (µs): keepalived's `idle_tx`. §6.8.3 wants at least one
   * second there; the configuration enforces it.
   */
  readonly idleTxInterval: number;
  /** bfd.DetectMult: `multiplier`. */
  readonly detectMult: number;
  /** §6.1 Passive role: send nothing until the remote system's discriminator is known. */
  readonly passive: boolean;
}

/** A change of bfd.SessionState. */
export interface StateChange {
  readonly from: SessionState;
  readonly to: SessionState;
  /** bfd.LocalDiag after the change: why it went Down. */
  readonly diag: number;
  /** The remote system's state as last received (an AdminDown neighbour is not a failure, RFC 5882 §3.2). */
  readonly remoteState: SessionState;
  /** The Diag the remote system last sent. */
  readonly remoteDiag: number;
}

export interface SessionEvents {
  transmit(packet: ControlPacket): void;
  stateChanged(change: StateChange): void;
}

/** The timers both ends agreed on, as `vrrpd status` shows them (µs). */
export interface NegotiatedTimers {
  /** The interval between our periodic packets before jitter: max(DesiredMinTx in use, RemoteMinRx). */
  readonly transmitInterval: number;
  /** How long without a packet before the session goes Down: remote Detect Mult × max(RequiredMinRx in use, remote DesiredMinTx). */
  readonly detectionTime: number;
}

export interface SessionSnapshot {
  readonly state: SessionState;
  readonly remoteState: SessionState;
  readonly localDiscr: number;
  readonly remoteDiscr: number;
  readonly localDiag: number;
  readonly remoteDiag: number;
  /** What our packets carry now (µs). */
  readonly desiredMinTxInterval: number;
  readonly requiredMinRxInterval: number;
  readonly detectMult: number;
  /** What the remote system's last packet carried (µs); undefined before the first. */
  readonly remote?: { readonly desiredMinTxInterval: number; readonly requiredMinRxInterval: number; readonly detectMult: number };
  readonly timers: NegotiatedTimers;
  /** A Poll Sequence is waiting for its Final. */
  readonly polling: boolean;
  readonly packetsSent: number;
  readonly packetsReceived: number;
}

/** §6.8.1: bfd.RemoteMinRxInterval "MUST be initialized to 1". */
const INITIAL_REMOTE_MIN_RX = 1;

export class BfdSession {
  // ---- the state variables of RFC 5880 §6.8.1 ----
  /** bfd.SessionState. */
  private sessionState: SessionState = 'Down';
  /** bfd.RemoteSessionState. */
  private remoteSessionState: SessionState = 'Down';
  /** bfd.RemoteDiscr: 0 until learnt, and again after a Detection Time without packets. */
  private remoteDiscr = 0;
  /** bfd.LocalDiag. */
  private localDiag: number = Diag.none;
  /** bfd.DesiredMinTxInterval: what our packets carry. */
  private desiredMinTxInterval: number;
  /** bfd.RequiredMinRxInterval: what our packets carry. */
  private requiredMinRxInterval: number;
  /** bfd.RemoteMinRxInterval. */
  private remoteMinRxInterval = INITIAL_REMOTE_MIN_RX;
  /** bfd.RemoteDemandMode: the remote system asks us to stop periodic packets (§6.6). */
  private remoteDemandMode = false;

  // ---- what the remote system's last packet said, beyond the RFC's variables ----
  private remoteDesiredMinTx: number | undefined;
  private remoteDetectMult = 0;
  private remoteDiag: number = Diag.none;

  /**
   * The intervals our own timing follows while a Poll Sequence runs (§6.8.3): an increased
   * DesiredMinTx is not used until the Final, nor a reduced RequiredMinRx for the Detection Time.
   */
  private txInUse: number;
  private rxInUse: number;
  /** A Poll Sequence is in progress: P is set in every packet until one with F arrives (§6.5). */
  private polling = false;

  private readonly timers: SessionTimers;
  /** The interval (before jitter) periodic transmission runs at; undefined while it is stopped. */
  private scheduledInterval: number | undefined;
  /** The periodic packet the timers were last given. */
  private published: ControlPacket | undefined;
  private packetsSent = 0;
  private packetsReceived = 0;
  private stopped = false;

  constructor(
    /** bfd.LocalDiscr: unique and non-zero on this system (the session table picks it). */
    readonly localDiscr: number,
    private parameters: SessionParameters,
    clock: Clock,
    /** Uniform in [0, 1): the jitter of §6.8.7 (for the default timers, on `clock`). */
    random: () => number,
    private readonly events: SessionEvents,
    timers: SessionTimersFactory = clockTimers(clock, random),
  ) {
    if (localDiscr === 0) throw new RangeError('bfd.LocalDiscr must be non-zero (RFC 5880 §6.8.1)');
    // §6.8.3: not Up, so the idle rate.
    this.desiredMinTxInterval = this.txInUse = parameters.idleTxInterval;
    this.requiredMinRxInterval = this.rxInUse = parameters.requiredMinRxInterval;
    this.timers = timers(localDiscr, {
      send: (packet) => {
        if (!this.stopped) this.events.transmit(packet);
      },
      expired: () => this.detectionTimeExpired(),
    });
  }

  get state(): SessionState {
    return this.sessionState;
  }

  /** Begins periodic transmission (an active session sends its first packet at once). */
  start(): void {
    if (this.mayTransmit()) this.transmit(false);
    this.scheduleTransmit(true);
  }

  /**
   * A packet for this session, decoded and checked by the session table (§6.8.6 up to "select
   * the session"). Follows the rest of §6.8.6 in its order; false when the packet is discarded
   * because the session is AdminDown.
   */
  receive(packet: ControlPacket): boolean {
    if (this.stopped) return false;
    this.remoteDiscr = packet.myDiscriminator;
    this.remoteSessionState = packet.state;
    this.remoteDemandMode = packet.demand;
    this.remoteMinRxInterval = packet.requiredMinRxInterval;
    this.remoteDesiredMinTx = packet.desiredMinTxInterval;
    this.remoteDetectMult = packet.detectMult;
    this.remoteDiag = packet.diag;
    if (packet.final && this.polling) this.pollTerminated();
    if (this.sessionState === 'AdminDown') {
      // The AdminDown packets now name the remote discriminator just learnt.
      this.publish();
      return false;
    }
    this.packetsReceived++;
    this.runStateMachine(packet.state);
    // The packet counts for the Detection Time (§6.8.4).
    if (this.sessionState === 'Init' || this.sessionState === 'Up') this.restartDetectionTimer();
    // Periodic transmission may have been waiting for the remote discriminator (passive role) or
    // for a non-zero RemoteMinRxInterval, or the interval may have shrunk.
    this.scheduleTransmit(false);
    // §6.8.7: a Poll is answered "as soon as practicable, without respect to the transmission timer".
    if (packet.poll) this.transmit(true);
    return true;
  }

  /** New timers or role from a reload: applied through a Poll Sequence while Up (§6.8.3). */
  update(parameters: SessionParameters): void {
    this.parameters = parameters;
    this.reconcileIntervals();
    this.scheduleTransmit(false);
  }

  /** §6.8.16: the session is taken down administratively; AdminDown goes out at once. */
  adminDown(): void {
    if (this.stopped || this.sessionState === 'AdminDown') return;
    this.setState('AdminDown', Diag.administrativelyDown);
    this.transmit(false);
    this.scheduleTransmit(true);
  }

  /** §6.8.16: back from AdminDown, the session starts Down. */
  enable(): void {
    if (this.stopped || this.sessionState !== 'AdminDown') return;
    this.setState('Down', this.localDiag);
  }

  /** Stops every timer; the session sends and reacts to nothing more. */
  stop(): void {
    this.stopped = true;
    this.timers.close();
    this.scheduledInterval = undefined;
  }

  /** The remote system's Detection Time for us (µs): how long it waits for our packets. */
  remoteDetectionTime(): number {
    return this.parameters.detectMult * this.transmitInterval();
  }

  snapshot(): SessionSnapshot {
    const counters = this.timers.counters();
    return {
      state: this.sessionState,
      remoteState: this.remoteSessionState,
      localDiscr: this.localDiscr,
      remoteDiscr: this.remoteDiscr,
      localDiag: this.localDiag,
      remoteDiag: this.remoteDiag,
      desiredMinTxInterval: this.desiredMinTxInterval,
      requiredMinRxInterval: this.requiredMinRxInterval,
      detectMult: this.parameters.detectMult,
      ...(this.remoteDesiredMinTx !== undefined
        ? { remote: { desiredMinTxInterval: this.remoteDesiredMinTx, requiredMinRxInterval: this.remoteMinRxInterval, detectMult: this.remoteDetectMult } }
        : {}),
      timers: { transmitInterval: this.transmitInterval(), detectionTime: this.detectionTime() },
      polling: this.polling,
      packetsSent: this.packetsSent + counters.sent,
      packetsReceived: this.packetsReceived + counters.received,
    };
  }

  // ---- §6.2 / §6.8.6: the state machine ----

  private runStateMachine(received: SessionState): void {
    const state = this.sessionState;
    if (received === 'AdminDown') {
      if (state !== 'Down') this.setState('Down', Diag.neighborSignaledSessionDown);
      return;
    }
    if (state === 'Down') {
      if (received === 'Down') this.setState('Init', this.localDiag);
      else if (received === 'Init') this.setState('Up', Diag.none);
    } else if (state === 'Init') {
      if (received === 'Init' || received === 'Up') this.setState('Up', Diag.none);
    } else if (received === 'Down') {
      this.setState('Down', Diag.neighborSignaledSessionDown);
    }
  }

  /** §6.8.4: no packet for a Detection Time while Init or Up. */
  private detectionTimeExpired(): void {
    if (this.stopped || (this.sessionState !== 'Init' && this.sessionState !== 'Up')) return;
    // §6.8.1: bfd.RemoteDiscr "MUST be set to zero" after a Detection Time without packets.
    this.remoteDiscr = 0;
    this.remoteSessionState = 'Down';
    this.setState('Down', Diag.controlDetectionTimeExpired);
  }

  private setState(to: SessionState, diag: number): void {
    const from = this.sessionState;
    this.sessionState = to;
    this.localDiag = diag;
    if (to !== 'Init' && to !== 'Up') this.timers.stopDetection();
    // Leaving Up ends any Poll Sequence: the idle rate applies at once (§6.8.3 restricts changes while Up only).
    if (to !== 'Up') this.polling = false;
    this.reconcileIntervals();
    this.events.stateChanged({ from, to, diag, remoteState: this.remoteSessionState, remoteDiag: this.remoteDiag });
    // As FRR's bfdd: entering Up (with the Poll that brings the fast rate) or falling Down is
    // told to the remote system at once rather than at the next, possibly idle-rate, packet.
    const announce = (to === 'Up' || (to === 'Down' && from === 'Up')) && this.mayTransmit();
    if (announce) this.transmit(false);
    this.scheduleTransmit(announce);
  }

  // ---- §6.8.3 / §6.5: timer changes and Poll Sequences ----

  /** The DesiredMinTx the configuration wants now: the fast rate only while Up (§6.8.3). */
  private wantedTx(): number {
    return this.sessionState === 'Up' ? this.parameters.desiredMinTxInterval : this.parameters.idleTxInterval;
  }

  /**
   * Brings bfd.DesiredMinTxInterval and bfd.RequiredMinRxInterval to what is wanted. Not Up, the
   * new values apply at once. Up, they are sent with P set; a faster transmission rate or a
   * longer Detection Time applies at once (both are safe), the rest when the Final arrives. A
   * change while a Poll Sequence runs waits for it to end, so each Final answers known values.
   */
  private reconcileIntervals(): void {
    const tx = this.wantedTx();
    const rx = this.parameters.requiredMinRxInterval;
    if (this.sessionState !== 'Up') {
      this.desiredMinTxInterval = this.txInUse = tx;
      this.requiredMinRxInterval = this.rxInUse = rx;
      return;
    }
    if (this.polling || (tx === this.desiredMinTxInterval && rx === this.requiredMinRxInterval)) return;
    this.desiredMinTxInterval = tx;
    this.requiredMinRxInterval = rx;
    this.txInUse = Math.min(this.txInUse, tx);
    this.rxInUse = Math.max(this.rxInUse, rx);
    this.polling = true;
  }

  private pollTerminated(): void {
    this.polling = false;
    this.txInUse = this.desiredMinTxInterval;
    this.rxInUse = this.requiredMinRxInterval;
    this.reconcileIntervals();
  }

  // ---- §6.8.4 / §6.8.7: timing ----

  /** §6.8.7: max(bfd.DesiredMinTxInterval, bfd.RemoteMinRxInterval), before jitter. */
  private transmitInterval(): number {
    return Math.max(this.txInUse, this.remoteMinRxInterval);
  }

  /** §6.8.4: remote Detect Mult × max(bfd.RequiredMinRxInterval, last received Desired Min TX); 0 before any packet. */
  private detectionTime(): number {
    if (this.remoteDesiredMinTx === undefined) return 0;
    return this.remoteDetectMult * Math.max(this.rxInUse, this.remoteDesiredMinTx);
  }

  private restartDetectionTimer(): void {
    this.timers.startDetection(this.detectionTime());
  }

  /** §6.1 Passive role: silent until the remote discriminator is known. */
  private mayTransmit(): boolean {
    return !this.stopped && !(this.parameters.passive && this.remoteDiscr === 0);
  }

  /** §6.8.7: periodic packets stop while RemoteMinRxInterval is zero or the remote system is in Demand mode with both Up. */
  private periodicAllowed(): boolean {
    if (!this.mayTransmit() || this.remoteMinRxInterval === 0) return false;
    return !(this.remoteDemandMode && this.sessionState === 'Up' && this.remoteSessionState === 'Up');
  }

  /**
   * Arms the periodic transmission, after giving the timers the packet it carries now.
   * `restart`: a packet just left, the next is one interval away. Otherwise a running
   * transmission keeps its next packet's time unless the interval has shrunk below the one it
   * runs at (a faster rate applies at once, a slower one from the next packet).
   */
  private scheduleTransmit(restart: boolean): void {
    this.publish();
    if (!this.periodicAllowed()) {
      if (this.scheduledInterval !== undefined) this.timers.stopPeriodic();
      this.scheduledInterval = undefined;
      return;
    }
    const interval = this.transmitInterval();
    const keep = !restart && this.scheduledInterval !== undefined && interval >= this.scheduledInterval;
    if (keep && interval === this.scheduledInterval) return;
    this.scheduledInterval = interval;
    this.timers.startPeriodic(interval, this.parameters.detectMult, !keep);
  }

  /** Gives the timers the periodic packet when it differs from the one they have. */
  private publish(): void {
    if (this.stopped) return;
    const packet = this.packet(false);
    if (this.published && samePacket(this.published, packet)) return;
    this.published = packet;
    this.timers.periodicPacket(packet);
  }

  private transmit(final: boolean): void {
    if (this.stopped) return;
    this.packetsSent++;
    this.events.transmit(this.packet(final));
  }

  /** The Control packet the session sends now (§6.8.7); `final` answers a Poll. */
  private packet(final: boolean): ControlPacket {
    return {
      diag: this.localDiag,
      state: this.sessionState,
      // §6.8.7: "MUST NOT set the Poll (P) and Final (F) bits in the same packet".
      poll: this.polling && !final,
      final,
      controlPlaneIndependent: false,
      authenticationPresent: false,
      demand: false,
      multipoint: false,
      detectMult: this.parameters.detectMult,
      myDiscriminator: this.localDiscr,
      yourDiscriminator: this.remoteDiscr,
      desiredMinTxInterval: this.desiredMinTxInterval,
      requiredMinRxInterval: this.requiredMinRxInterval,
      requiredMinEchoRxInterval: 0,
    };
  }
}

/** The fields a session varies between its packets (the rest are constant, see packet()). */
function samePacket(a: ControlPacket, b: ControlPacket): boolean {
  return (
    a.diag === b.diag &&
    a.state === b.state &&
    a.poll === b.poll &&
    a.final === b.final &&
    a.detectMult === b.detectMult &&
    a.myDiscriminator === b.myDiscriminator &&
    a.yourDiscriminator === b.yourDiscriminator &&
    a.desiredMinTxInterval === b.desiredMinTxInterval &&
    a.requiredMinRxInterval === b.requiredMinRxInterval
  );
}
