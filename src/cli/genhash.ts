// `vrrpd genhash`: keepalived's genhash (src/checkers/genhash.ts) on this host's sockets.
import { genhash, genhashUsage, parseGenhashArgs } from '../checkers/genhash.js';
import { LinuxCheckerIo } from '../linux/checkers/io.js';
import { RealClock } from '../linux/real-clock.js';

export async function runGenhash(args: readonly string[]): Promise<number> {
  const parsed = parseGenhashArgs(args);
  if (parsed.kind === 'usage') {
    if (parsed.message !== undefined) process.stderr.write(`${parsed.message}\n`);
    process.stderr.write(genhashUsage('vrrpd genhash'));
    return 1;
  }
  const io = new LinuxCheckerIo();
  try {
    return await genhash(parsed.options, io, new RealClock(), {
      stdout: (text) => void process.stdout.write(text),
      stderr: (text) => void process.stderr.write(text),
    });
  } finally {
    io.close();
  }
}
