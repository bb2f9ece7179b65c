// Waiting for a child process, and running this checkout's scripts/ (which print the path or
// reference they made as their last line).
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..', '..');

export interface Finished {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Everything the child prints, and its exit code, once it has closed its output. */
export function finish(child: ChildProcess): Promise<Finished> {
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Runs scripts/NAME of this checkout; resolves with the last line it printed (the path or reference it made). */
export async function runScript(name: string, args: readonly string[] = []): Promise<string> {
  const result = await finish(spawn(join(root, 'scripts', name), [...args], { stdio: ['ignore', 'pipe', 'pipe'] }));
  if (result.code !== 0) throw new Error(`scripts/${name} failed (${result.code}):\n${result.stderr}`);
  return result.stdout.trim().split('\n').at(-1) ?? '';
}
