import { describe, expect, test } from 'vitest';
import { CommandLineError, splitCommandLine } from '../../src/scripting/command-line.js';

describe('splitCommandLine', () => {
  test.each([
    ['/usr/bin/killall -0 haproxy', ['/usr/bin/killall', '-0', 'haproxy']],
    ["/bin/sh -c 'curl -sf http://localhost/ || exit 1'", ['/bin/sh', '-c', 'curl -sf http://localhost/ || exit 1']],
    ['/bin/echo "a \\"quoted\\" word"  x', ['/bin/echo', 'a "quoted" word', 'x']],
    ['/bin/echo a\\ b', ['/bin/echo', 'a b']],
    ['/bin/echo ""', ['/bin/echo', '']],
  ])('%s', (line, words) => expect(splitCommandLine(line)).toEqual(words));

  test('an unterminated quote or an empty command is an error', () => {
    expect(() => splitCommandLine("/bin/sh -c 'exit 1")).toThrow(CommandLineError);
    expect(() => splitCommandLine('   ')).toThrow('empty command');
  });
});
