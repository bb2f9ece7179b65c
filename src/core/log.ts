// Logs are for operators: one structured line per meaningful event. JSON lines on stdout (what
// journald, Kubernetes and log shippers want); a readable line when stdout is a terminal.
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
  const stream = options.destination ? linesTo(options.destination, options.readable) : new StdoutAtFirstLine(options.readable);
  return pino({ level: options.level, base: undefined, timestamp: pino.stdTimeFunctions.isoTime }, stream);
}

interface LineSink {
  write(chunk: string): boolean;
}

function linesTo(destination: NodeJS.WritableStream & { isTTY?: boolean }, readable = destination.isTTY === true): LineSink {
  return readable ? new ReadableLines(destination) : destination;
}

/**
 * process.stdout, made by the first line written rather than with the logger: making it loads
 * Node's stream modules (and node:net for a pipe or a socket, as under systemd or a container
 * runtime), ~5 ms that came before a daemon's first advertisement, whose first line comes after it
 * (issue 16). Whether stdout is a terminal is the same question asked later.
 */
class StdoutAtFirstLine implements LineSink {
  private sink: LineSink | undefined;

  constructor(private readonly readable: boolean | undefined) {}

  write(chunk: string): boolean {
    this.sink ??= linesTo(process.stdout, this.readable);
    return this.sink.write(chunk);
  }
}

const LEVEL_NAMES: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };
const OMITTED = new Set(['level', 'time', 'msg']);

/**
 * Turns pino's JSON lines into `12:00:01.234 INFO  message key=value ...`. Not a node:stream
 * Writable (pino needs write() alone), so that the logger loads no stream module of its own.
 */
export class ReadableLines implements LineSink {
  constructor(private readonly target: NodeJS.WritableStream) {}

  write(chunk: string): boolean {
    for (const line of chunk.split('\n')) {
      if (line.trim() !== '') this.target.write(formatReadable(line) + '\n');
    }
    return true;
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
