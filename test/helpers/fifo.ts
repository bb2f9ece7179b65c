// Reading a notify FIFO the way a notify_fifo_script does, across the writer closing and opening
// it again (keepalived closes its FIFO on a reload): each end of file opens it anew.
import { closeSync, constants, createReadStream, openSync, type ReadStream } from 'node:fs';

export interface FifoReader {
  /** Every line read so far. */
  readonly lines: string[];
  stop(): void;
}

export function readFifo(path: string): FifoReader {
  const lines: string[] = [];
  let stopped = false;
  let stream: ReadStream;
  const open = (): void => {
    stream = createReadStream(path);
    stream.on('data', (chunk) => lines.push(...chunk.toString().split('\n').filter(Boolean)));
    stream.on('end', () => {
      if (!stopped) open();
    });
  };
  open();
  return {
    lines,
    stop: () => {
      stopped = true;
      // A reopen may be waiting for a writer (in libuv's thread pool): be that writer, briefly.
      try {
        closeSync(openSync(path, constants.O_WRONLY | constants.O_NONBLOCK));
      } catch {
        // No reader waiting.
      }
      stream.destroy();
    },
  };
}
