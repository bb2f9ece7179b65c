// A probe: a small Node script run in a lab host's namespace that opens one of the native sockets
// and prints a JSON line per event ({"ready": true} once its socket is open). The native socket
// tests read what the kernel told the probe from these lines.
import type { ChildProcess } from 'node:child_process';
import type { LabHost } from './netns.js';

/** Runs `script` with `options` (as JSON) in the host's namespace; resolves once it is ready, with its lines so far, its exit and the process (its stdin is a pipe). */
export async function runProbe<Line extends { readonly ready?: boolean }>(
  host: LabHost,
  script: string,
  options: object,
): Promise<{ lines: Line[]; exited: Promise<void>; child: ChildProcess }> {
  const child = host.spawn('node', [script, JSON.stringify(options)]);
  const lines: Line[] = [];
  let errors = '';
  child.stderr?.on('data', (chunk: Buffer) => void (errors += chunk.toString()));
  const exited = new Promise<void>((resolve, reject) => child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`probe exited ${code}: ${errors}`)))));
  await new Promise<void>((resolve, reject) => {
    let buffered = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const complete = buffered.split('\n');
      buffered = complete.pop() ?? '';
      for (const line of complete) {
        const parsed = JSON.parse(line) as Line;
        if (parsed.ready) resolve();
        else lines.push(parsed);
      }
    });
    exited.catch(reject);
  });
  return { lines, exited, child };
}
