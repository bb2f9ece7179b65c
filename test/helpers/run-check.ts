// Checks run inside a lab host by test/checkers/run-check.mjs (its header says what `options`
// takes), one printed line a check, parsed.
import { join } from 'node:path';
import type { LabHost } from './netns.js';

const runCheck = join(import.meta.dirname, '..', 'checkers', 'run-check.mjs');

/** What run-check.mjs prints of a check. */
export interface CheckLine {
  ok: boolean;
  detail: string;
  reason?: string;
  attempts: number;
  elapsedMs: number;
}

export async function runChecks(host: LabHost, options: Record<string, unknown>): Promise<CheckLine[]> {
  const { stdout } = await host.exec('node', [runCheck, JSON.stringify(options)]);
  return stdout.trim().split('\n').map((line) => JSON.parse(line) as CheckLine);
}
