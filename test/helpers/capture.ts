// Packet captures in lab hosts: tcpdump writes a pcap, tshark reads fields out of it.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import type { LabHost } from './netns.js';
import { scratchDir } from './scratch.js';

export interface Capture {
  readonly file: string;
  /** Stops tcpdump once it has written everything it received. */
  stop(): Promise<void>;
}

/**
 * Starts tcpdump on the host's eth0 (or `device`; `host` can be anything that spawns in a
 * namespace, such as a lab's switch) and resolves once it is listening. `--immediate-mode`
 * matters: without it, packets wait in the kernel ring for up to a second and a capture stopped
 * sooner than that writes none of them ("6 packets received by filter, 0 captured").
 */
export async function startCapture(host: Pick<LabHost, 'spawn'>, filter: string, device = 'eth0', options: { readonly bufferKiB?: number } = {}): Promise<Capture> {
  const file = join(scratchDir('cap'), 'capture.pcap');
  const buffer = options.bufferKiB !== undefined ? ['-B', String(options.bufferKiB)] : [];
  const dump = host.spawn('tcpdump', ['-i', device, ...buffer, '--immediate-mode', '-U', '-w', file, filter]);
  const exited = new Promise<void>((resolve) => dump.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    let said = '';
    dump.stderr?.on('data', (chunk: Buffer) => {
      said += chunk.toString();
      if (said.includes('listening on')) resolve();
    });
    dump.once('exit', (code) => reject(new Error(`tcpdump exited (${code}) before listening: ${said.trim()}`)));
  });
  return {
    file,
    async stop() {
      dump.kill('SIGINT');
      await exited;
    },
  };
}

/** tshark's values of the given fields, one row per packet (display filter optional). */
export function captureFields(file: string, fields: readonly string[], displayFilter?: string): string[][] {
  const out = execFileSync('tshark', ['-r', file, ...(displayFilter ? ['-Y', displayFilter] : []), '-T', 'fields', ...fields.flatMap((field) => ['-e', field])], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  }).trim();
  return out === '' ? [] : out.split('\n').map((line) => line.split('\t'));
}
