// track_file: the file holds a number; vrrpd reads it at start and whenever the file changes
// (created, written, renamed over, deleted). A missing file or one that does not start with a
// number reads as 0, as in keepalived; a number out of its range is ignored. `init_file` creates it (or with `overwrite` replaces it).
import type { Logger } from '../core/log.js';
import { Listeners, type Tracker } from './tracker.js';
import type { TrackerState } from './weights.js';

/** What the file tracker needs from the file system. */
export interface FileWatchPort {
  /** Calls `onChange` after the file may have changed; returns a function that stops watching. */
  watch(path: string, onChange: () => void): () => void;
  /** The file's first bytes, or undefined when it cannot be read. */
  read(path: string): Promise<string | undefined>;
  /** Writes the file unless it exists (or always, with overwrite). */
  initialise(path: string, content: string, overwrite: boolean): Promise<void>;
}

export interface FileSpec {
  readonly name: string;
  readonly path: string;
  readonly initFile?: { readonly value: number; readonly overwrite: boolean };
}

/** keepalived's accepted range: a C int, and INT_MAX + 1 so that weight -1 can reach INT_MIN (track_file.c). */
const TRACKED_RANGE = { min: -2_147_483_648, max: 2_147_483_648 };

/**
 * The number as keepalived reads it (track_file.c: `strtol(buf, NULL, 0)`): optional spaces and
 * sign, then hex after 0x, octal after a leading 0, else decimal, up to the first other character;
 * no digits reads 0. A number outside TRACKED_RANGE is undefined: keepalived logs "Invalid number"
 * and keeps the value it had.
 */
export function parseTrackedValue(text: string | undefined): number | undefined {
  const match = text === undefined ? null : /^\s*([-+]?)(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)/.exec(text);
  if (!match) return 0;
  const digits = match[2]!;
  const magnitude = /^0[xX]/.test(digits) ? Number.parseInt(digits.slice(2), 16) : digits.length > 1 && digits.startsWith('0') ? Number.parseInt(digits, 8) : Number(digits);
  const value = match[1] === '-' ? -magnitude : magnitude;
  return value >= TRACKED_RANGE.min && value <= TRACKED_RANGE.max ? value : undefined;
}

export class FileTracker implements Tracker {
  readonly kind = 'file' as const;
  readonly arithmetic = 'value' as const;
  private number = 0;
  private unwatch: (() => void) | undefined;
  private reading: Promise<void> = Promise.resolve();
  private readonly listeners = new Listeners();

  constructor(
    readonly spec: FileSpec,
    private readonly files: FileWatchPort,
    private readonly log: Logger,
  ) {}

  get name(): string {
    return this.spec.name;
  }

  /** The state is decided with the weight (weights.ts); alone, a file is OK at 0. */
  get state(): TrackerState {
    return this.number === 0 ? 'ok' : 'failed';
  }

  get value(): number {
    return this.number;
  }

  subscribe(listener: () => void): () => void {
    return this.listeners.add(listener);
  }

  /** Reads the file once (after init_file) before resolving, so instances start with its value. */
  async initialise(): Promise<void> {
    const { initFile, path } = this.spec;
    if (initFile) {
      await this.files.initialise(path, `${initFile.value}\n`, initFile.overwrite).catch((error: unknown) =>
        this.log.error({ event: 'track-file-init-failed', tracker: this.name, path, error: (error as Error).message }, `track_file ${this.name}: cannot create ${path}: ${(error as Error).message}`),
      );
    }
    this.number = this.valid(await this.files.read(path)) ?? 0;
  }

  start(): void {
    this.unwatch ??= this.files.watch(this.spec.path, () => this.recheck());
  }

  stop(): void {
    this.unwatch?.();
    this.unwatch = undefined;
  }

  /** The number in `text`, or undefined (logged) when keepalived would ignore it. */
  private valid(text: string | undefined): number | undefined {
    const value = parseTrackedValue(text);
    if (value === undefined) this.log.warn({ event: 'track-file-invalid', tracker: this.name, path: this.spec.path, text: text?.slice(0, 40) }, `track_file ${this.name}: ${JSON.stringify(text?.trim().slice(0, 40))} is not a number from -2147483648 to 2147483648; the value stays ${this.number}`);
    return value;
  }

  /**
   * Reads the file again, notifying when its number changed: on each event of the watch, and
   * once after it starts (a write it may have missed). Reads go in order, so a burst of events
   * ends with the file's last content.
   */
  recheck(): void {
    this.reading = this.reading.then(async () => {
      const value = this.valid(await this.files.read(this.spec.path));
      if (value === undefined || value === this.number) return;
      const from = this.number;
      this.number = value;
      this.log.info({ event: 'tracker-changed', tracker: this.name, kind: 'file', from, value }, `track_file ${this.name}: value ${from} -> ${value}`);
      this.listeners.notify();
    });
  }
}
