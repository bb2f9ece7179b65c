// track_file: the file holds a number; vrrpd reads it at start and whenever the file changes
// (created, written, renamed over, deleted). A missing file or one that does not start with a
// number reads as 0, as in keepalived. `init_file` creates it (or with `overwrite` replaces it).
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

/** keepalived reads the number as strtol does: optional spaces and sign, then digits. */
export function parseTrackedValue(text: string | undefined): number {
  const match = text === undefined ? null : /^\s*([-+]?\d+)/.exec(text);
  return match ? Number(match[1]) : 0;
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
    this.number = parseTrackedValue(await this.files.read(path));
  }

  start(): void {
    this.unwatch ??= this.files.watch(this.spec.path, () => this.reread());
  }

  stop(): void {
    this.unwatch?.();
    this.unwatch = undefined;
  }

  /** Rereads in order, so a burst of events ends with the file's last content. */
  private reread(): void {
    this.reading = this.reading.then(async () => {
      const value = parseTrackedValue(await this.files.read(this.spec.path));
      if (value === this.number) return;
      const from = this.number;
      this.number = value;
      this.log.info({ event: 'tracker-changed', tracker: this.name, kind: 'file', from, value }, `track_file ${this.name}: value ${from} -> ${value}`);
      this.listeners.notify();
    });
  }
}
