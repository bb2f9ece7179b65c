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
  /** Added to the server's weight while up (a weighted FILE_CHECK). */
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
    const { name, path, initFile } = config.file;
    this.tracker = new FileTracker({ name, path, ...(initFile ? { initFile } : {}) }, files, log);
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
  private up: boolean;
  private unsubscribe: (() => void) | undefined;

  /**
   * keepalived starts a checker up (down with alpha) and sets it from each event of the session
   * after. A session that has already given a verdict (a reload adding the check) gives it at once.
   */
  constructor(
    private readonly config: ResolvedBfdCheck,
    private readonly states: BfdSessionStates,
    alpha: boolean,
  ) {
    super();
    this.up = states.has(config.name) ? states.get(config.name).up : !alpha;
  }

  get verdict(): WatchedVerdict {
    const said = this.states.has(this.config.name) ? this.states.get(this.config.name).detail : 'no BFD event yet';
    return { up: this.up, adjustment: 0, detail: `bfd_instance ${this.config.name}: ${said}` };
  }

  async initialise(): Promise<void> {
    this.record();
  }

  protected watch(onChange: () => void): void {
    // Every verdict the session gives is taken (keepalived: the first event even when it agrees
    // with the start, has_run), so status says what the session said.
    const follow = (): void => {
      this.up = this.states.get(this.config.name).up;
      onChange();
    };
    this.unsubscribe ??= this.states.subscribe(this.config.name, follow);
    // A verdict given between the first look and the watch (a session coming Up while the first rules are written).
    if (this.states.has(this.config.name) && this.last?.detail !== this.verdict.detail) follow();
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
