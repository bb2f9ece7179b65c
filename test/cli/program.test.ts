// The command line's program built for one subcommand (what main does when the first word names
// one) parses, helps and fails as the whole program does for that subcommand.
import { describe, expect, test } from 'vitest';
import type { Command } from 'commander';
import { buildProgram, COMMAND_NAMES, type CommandName } from '../../src/cli/main.js';

/** What `argv` prints and how it ends, with the program built whole or for `only`. */
async function outcome(argv: string[], only?: CommandName): Promise<{ out: string; err: string; error: string; actions: number }> {
  let out = '';
  let err = '';
  let actions = 0;
  const program: Command = buildProgram((text) => void (out += text), () => undefined, only);
  program.configureOutput({ writeOut: (text) => void (out += text), writeErr: (text) => void (err += text) });
  // The actions are not run: each command's action is replaced by a count.
  for (const command of program.commands) command.exitOverride().action(() => void (actions += 1));
  let error = '';
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (caught) {
    error = (caught as { code?: string }).code ?? String(caught);
  }
  return { out, err, error, actions };
}

describe('buildProgram for one subcommand', () => {
  test('the whole program has exactly the subcommands COMMAND_NAMES lists, in that order', () => {
    expect(buildProgram(() => undefined, () => undefined).commands.map((command) => command.name())).toEqual([...COMMAND_NAMES]);
  });

  test.each(COMMAND_NAMES)('%s alone: the one subcommand', (name) => {
    expect(buildProgram(() => undefined, () => undefined, name).commands.map((command) => command.name())).toEqual([name]);
  });

  test.each([
    ['run', '--help'],
    ['run', '-f', 'x.conf', '--log-level', 'debug', '--metrics', ':9650'],
    ['run'],
    ['run', '-f'],
    ['run', '--nosuch'],
    ['run', '-f', 'x.conf', 'extra'],
    ['run', '--version'],
    ['ipfailover', '--help'],
    ['ipfailover', '--print'],
    ['ipfailover', '--bogus'],
    ['check', '-f', 'x.conf', '--json'],
    ['status', '--help'],
    ['priority', 'VI_1'],
    ['genhash', '-s', '192.0.2.1'],
  ])('%s: the same output, error and action either way', async (...argv) => {
    const whole = await outcome(argv);
    expect(await outcome(argv, argv[0] as CommandName)).toEqual(whole);
  });
});
