// `vrrpd reload` and `vrrpd dump`: the operator's side of the control socket's `reload` and `dump`.
import { sendControlRequest } from '../control/client.js';
import type { DumpFormat } from '../daemon/dump-formats.js';
import { describeReload } from '../daemon/reload-summary.js';
import type { ReloadResult } from '../daemon/operations/operations.js';
import { UsageError } from './errors.js';

/** Prints what the reload did (warnings on stderr); a rejected configuration exits 1 with its errors. */
export async function reload(options: { socket: string; json: boolean }, write: (text: string) => void, writeError: (text: string) => void = (text) => process.stderr.write(text)): Promise<number> {
  const response = await sendControlRequest(options.socket, { command: 'reload' }, 30_000);
  if (!response.ok) {
    if (options.json) write(JSON.stringify({ ok: false, error: response.error.message }) + '\n');
    writeError(`vrrpd: reload rejected: ${response.error.message}\n`);
    return 1;
  }
  const result = response.result as ReloadResult;
  if (options.json) {
    write(JSON.stringify({ ok: true, ...result }) + '\n');
    return 0;
  }
  for (const warning of result.warnings) writeError(warning + '\n');
  write(`reloaded: ${describeReload(result)}\n`);
  return 0;
}

export async function dump(options: { socket: string; format: DumpFormat; write: boolean }, write: (text: string) => void): Promise<number> {
  const response = await sendControlRequest(options.socket, { command: 'dump', args: { format: options.format, ...(options.write ? { write: true } : {}) } });
  if (!response.ok) throw new UsageError(response.error.message);
  const result = response.result as { text?: string; path?: string };
  write(options.write ? `${result.path ?? ''}\n` : (result.text ?? ''));
  if (!options.write && options.format === 'json') write('\n');
  return 0;
}
