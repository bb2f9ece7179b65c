// Logs are for operators: one structured line per meaningful event. JSON lines on stdout (what
// journald, Kubernetes and log shippers want); a readable line when stdout is a terminal.
import { Writable } from 'node:stream';
import { pino, type Logger, type LevelWithSilent } from 'pino';

export type { Logger };

export interface LoggerOptions {
  readonly level: LevelWithSilent;
  /** Where lines go; stdout by default. */
  readonly destination?: NodeJS.WritableStream & { isTTY?: boolean };
  /** Readable lines instead of JSON; default: when the destination is a terminal. */
  readonly readable?: boolean;
}

export function createLogger(options: LoggerOptions): Logger {
  const destination = options.destination ?? process.stdout;
  const readable = options.readable ?? destination.isTTY === true;
  const stream = readable ? new ReadableLines(destination) : destination;
  return pino({ level: options.level, base: undefined, timestamp: pino.stdTimeFunctions.isoTime }, stream);
}

const LEVEL_NAMES: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };
const OMITTED = new Set(['level', 'time', 'msg']);

/** Turns pino's JSON lines into `12:00:01.234 INFO  message key=value ...`. */
export class ReadableLines extends Writable {
  constructor(private readonly target: NodeJS.WritableStream) {
    super();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, done: (error?: Error | null) => void): void {
    for (const line of chunk.toString('utf8').split('\n')) {
      if (line.trim() !== '') this.target.write(formatReadable(line) + '\n');
    }
    done();
  }
}

export function formatReadable(jsonLine: string): string {
  let record: Record<string, unknown>;
  try {
    record = JSON.parse(jsonLine) as Record<string, unknown>;
  } catch {
    return jsonLine;
  }
  const time = typeof record['time'] === 'string' ? record['time'].slice(11, 23) : '';
  const level = (LEVEL_NAMES[Number(record['level'])] ?? String(record['level'])).padEnd(5);
  const fields = Object.entries(record)
    .filter(([key]) => !OMITTED.has(key))
    .map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`);
  return [time, level, String(record['msg'] ?? ''), ...fields].filter((part) => part !== '').join(' ');
}
