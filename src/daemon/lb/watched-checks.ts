// FILE_CHECK and BFD_CHECK as the load balancer runs them: not a run every delay_loop but a verdict
// that follows what the daemon already watches, at once. A FILE_CHECK reads its track_file as VRRP's
// track_file does (src/tracking/file-tracker.ts: inotify on the directory, strtol's number); a
// BFD_CHECK follows its bfd_instance's session as track_bfd does (../bfd/session-states.ts).
import type { ResolvedBfdCheck, ResolvedFileCheck } from '../../config/validate-virtual-servers.js';
import type { Logger } from '../../core/log.js';
import type { CheckOutcome } from '../../lb/check-loop.js';
import { fileCheckVerdict, WEIGHT_FAULT } from '../../lb/file-check.js';
import { FileTracker, type FileWatchPort } from '../../tracking/file-tracker.js';
import type { BfdSessionStates } from '../bfd/session-states.js';

export interface WatchedVerdict {
  readonly up: boolean;
  /** Added to the server's weight (a weighted FILE_CHECK); 0 while down. */
  readonly adjustment: number;
  readonly detail: string;
}

/** What status shows of a checker, run (CheckLoop) or watched. */
export interface CheckProgress {
  /** Runs made; for a watched checker, the verdicts taken (the first read, then each change). */
  readonly runs: number;
  readonly last: CheckOutcome | undefined;
  readonly lastFailure: CheckOutcome | undefined;
}

export interface WatchedCheck extends CheckProgress {
  readonly verdict: WatchedVerdict;
  /** Reads what it watches once (the file's number), before the pool is built from its verdict. */
  initialise(): Promise<void>;
  /** Calls `onChange` after each change of verdict. */
  start(onChange: () => void): void;
  stop(): void;
}

abstract class Watched implements WatchedCheck {
  runs = 0;
  last: CheckOutcome | undefined;
  lastFailure: CheckOutcome | undefined;
  private listener: (() => void) | undefined;

  abstract get verdict(): WatchedVerdict;
  abstract initialise(): Promise<void>;
  /** Follows what it watches from now on, calling `onChange` after each change; also looks once more, for a change since `initialise` (the subsystem starts the watch after its first rules). */
  protected abstract watch(onChange: () => void): void;
  abstract stop(): void;

  start(onChange: () => void): void {
    this.listener = onChange;
    this.watch(() => this.taken());
  }

  /** A change: recorded, and the subsystem told. */
  protected taken(): void {
    this.record();
    this.listener?.();
  }

  /** The verdict as status's last run. */
  protected record(): void {
    const { up, detail } = this.verdict;
    this.runs++;
    this.last = { ok: up, detail };
    if (!up) this.lastFailure = this.last;
  }
}

class FileCheck extends Watched {
  private readonly tracker: FileTracker;
  private unsubscribe: (() => void) | undefined;

  constructor(
    private readonly config: ResolvedFileCheck,
    files: FileWatchPort,
    log: Logger,
  ) {
    super();
    this.tracker = new FileTracker(config.file, files, log);
  }

  get verdict(): WatchedVerdict {
    const { weight, reverse, file } = this.config;
    const value = this.tracker.value;
    const verdict = fileCheckVerdict(value, weight, reverse);
    const weighs = `weight ${weight}${reverse ? ' reverse' : ''}`;
    const how = weight === 0 ? `${weighs}: ${reverse ? '0' : 'not 0'} is down` : verdict.up ? `${weighs}: ${verdict.adjustment >= 0 ? '+' : ''}${verdict.adjustment} to the weight` : `${weighs}: at or below ${WEIGHT_FAULT} is down`;
    return { ...verdict, detail: `track_file ${file.name} reads ${value}, ${how}` };
  }

  async initialise(): Promise<void> {
    await this.tracker.initialise();
    this.record();
  }

  protected watch(onChange: () => void): void {
    this.unsubscribe ??= this.tracker.subscribe(onChange);
    this.tracker.start();
    // A write between the first read and the watch: read again (it notifies only on a change).
    this.tracker.recheck();
  }

  stop(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    this.tracker.stop();
  }
}

class BfdCheck extends Watched {
  private unsubscribe: (() => void) | undefined;

  constructor(
    private readonly config: ResolvedBfdCheck,
    private readonly states: BfdSessionStates,
    private readonly alpha: boolean,
  ) {
    super();
  }

  /**
   * keepalived starts a checker up (down with alpha) and sets it from each event of the session
   * after: the session's verdict once it has given one (also one given before a reload added the
   * check), the start's until then.
   */
  get verdict(): WatchedVerdict {
    const { name } = this.config;
    if (!this.states.has(name)) return { up: !this.alpha, adjustment: 0, detail: `bfd_instance ${name}: no BFD event yet` };
    const session = this.states.get(name);
    return { up: session.up, adjustment: 0, detail: `bfd_instance ${name}: ${session.detail}` };
  }

  async initialise(): Promise<void> {
    this.record();
  }

  protected watch(onChange: () => void): void {
    // Every verdict the session gives is taken (keepalived: the first event even when it agrees
    // with the start, has_run), so status says what the session said.
    this.unsubscribe ??= this.states.subscribe(this.config.name, onChange);
    // A verdict given between the first look and the watch (a session coming Up while the first rules are written).
    if (this.states.has(this.config.name) && this.last?.detail !== this.verdict.detail) onChange();
  }

  stop(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
  }
}

export interface WatchedCheckHost {
  /** track_file's file system (FILE_CHECK). */
  readonly files?: FileWatchPort;
  /** The BFD sessions' verdicts, shared with the BFD subsystem (BFD_CHECK). */
  readonly bfdStates?: BfdSessionStates;
  readonly log: Logger;
}

/** A FILE_CHECK's or BFD_CHECK's watch; throws when the host has nothing to watch it with. */
export function watchedCheck(config: ResolvedFileCheck | ResolvedBfdCheck, alpha: boolean, host: WatchedCheckHost, what: string): WatchedCheck {
  if (config.type === 'FILE_CHECK') {
    if (!host.files) throw new Error(`${what}: FILE_CHECK needs the file system's watch, which this host does not give`);
    return new FileCheck(config, host.files, host.log);
  }
  if (!host.bfdStates) throw new Error(`${what}: BFD_CHECK needs the BFD sessions, which this host does not run`);
  return new BfdCheck(config, host.bfdStates, alpha);
}
