// Fakes for the tracking ports: a process runner whose runs the test finishes by hand, a file
// system in memory, a process table the test fills.
import type { FileWatchPort } from '../../src/tracking/file-tracker.js';
import type { ProcessRunner, RunOutcome, RunRequest } from '../../src/scripting/process-runner.js';
import type { ProcessEntry, ProcessTablePort } from '../../src/tracking/process-tracker.js';

export class FakeRunner implements ProcessRunner {
  readonly runs: Array<{ request: RunRequest; finish: (outcome: RunOutcome) => void }> = [];
  /** When set, every run finishes at once with this outcome. */
  auto: RunOutcome | undefined;

  run(request: RunRequest): Promise<RunOutcome> {
    return new Promise((resolve) => {
      this.runs.push({ request, finish: resolve });
      if (this.auto) resolve(this.auto);
    });
  }

  /** Finishes the oldest unfinished run. */
  finish(outcome: RunOutcome): void {
    const run = this.runs.shift();
    if (!run) throw new Error('no run in progress');
    run.finish(outcome);
  }
}

export const EXIT_0: RunOutcome = { kind: 'exited', code: 0 };
export const EXIT_1: RunOutcome = { kind: 'exited', code: 1 };

export class FakeFiles implements FileWatchPort {
  readonly contents = new Map<string, string>();
  /** Per path, every watch (VRRP's track_file and the load balancer's FILE_CHECKs may watch one file). */
  private readonly watchers = new Map<string, Set<() => void>>();

  watch(path: string, onChange: () => void): () => void {
    const set = this.watchers.get(path) ?? new Set();
    this.watchers.set(path, set);
    const watcher = (): void => onChange();
    set.add(watcher);
    return () => set.delete(watcher);
  }

  async read(path: string): Promise<string | undefined> {
    return this.contents.get(path);
  }

  async initialise(path: string, content: string, overwrite: boolean): Promise<void> {
    if (overwrite || !this.contents.has(path)) this.contents.set(path, content);
  }

  write(path: string, content: string | undefined): void {
    if (content === undefined) this.contents.delete(path);
    else this.contents.set(path, content);
    for (const watcher of this.watchers.get(path) ?? []) watcher();
  }
}

export class FakeProcessTable implements ProcessTablePort {
  entries: ProcessEntry[] = [];
  async list(): Promise<ProcessEntry[]> {
    return this.entries;
  }
}

/** Lets promise callbacks run (the runner's results, file reads). */
export async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
}
