// The one executable, `vrrpd`, and its subcommands.
import { Command, CommanderError } from 'commander';
import { VERSION } from '../version.js';
import { UsageError } from './errors.js';
import { simulate } from './simulate.js';

export function buildProgram(write: (text: string) => void = (text) => process.stdout.write(text)): Command {
  const program = new Command('vrrpd')
    .description('A VRRP daemon (VRRPv2 RFC 3768, VRRPv3 RFC 9568) that reads keepalived.conf')
    .version(VERSION)
    .showHelpAfterError()
    .exitOverride();

  program
    .command('simulate')
    .description('run a scenario on a simulated LAN (the real protocol core, virtual time, no network) and print its trace')
    .option('-f, --scenario <file>', 'scenario JSON file (default: the built-in three-router demo)')
    .option('--show <kinds>', 'comma-separated trace kinds: transition, add-addresses, remove-addresses, announce-addresses, send-advertisement')
    .action((options: { scenario?: string; show?: string }) => simulate(options, write));

  return program;
}

export async function main(argv: readonly string[]): Promise<number> {
  try {
    await buildProgram().parseAsync([...argv], { from: 'user' });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    if (error instanceof UsageError) {
      process.stderr.write(`vrrpd: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
}
