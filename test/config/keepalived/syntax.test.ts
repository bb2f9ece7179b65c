// keepalived.conf syntax: blocks and braces anywhere, comments, quotes, include (relative, globs),
// macros and conditional lines, with positions for every word and problem.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { parseKeepalivedFile, parseKeepalivedText, type Statement } from '../../../src/config/keepalived/syntax.js';
import { scratchDir } from '../../helpers/scratch.js';

/** Statements as nested arrays of words, for readable expectations. */
function shape(statements: readonly Statement[]): unknown[] {
  return statements.map((s) => {
    const words = [s.keyword.text, ...s.args.map((a) => a.text)].join(' ');
    return s.children === undefined ? words : [words, shape(s.children)];
  });
}

describe('blocks, comments and quotes', () => {
  test('braces on the same line, the next line, or holding a whole block on one line', () => {
    const text = [
      'vrrp_instance VI_1 {',
      '  state BACKUP   ! a comment',
      '  virtual_ipaddress { 192.0.2.100/24 dev eth0 label eth0:1 }',
      '  track_script',
      '  {',
      '    chk_haproxy weight -20  # another comment',
      '  }',
      '}',
    ].join('\n');
    const { statements, problems } = parseKeepalivedText(text, '/etc/keepalived/keepalived.conf');
    expect(problems).toEqual([]);
    expect(shape(statements)).toEqual([
      ['vrrp_instance VI_1', ['state BACKUP', ['virtual_ipaddress', ['192.0.2.100/24 dev eth0 label eth0:1']], ['track_script', ['chk_haproxy weight -20']]]],
    ]);
  });

  test('quoted strings keep their spaces and comment characters', () => {
    const { statements } = parseKeepalivedText('script "/usr/bin/curl -s http://192.0.2.1/#health"', 'k.conf');
    expect(statements[0]?.args.map((a) => a.text)).toEqual(['/usr/bin/curl -s http://192.0.2.1/#health']);
  });

  test('every word knows its file, line and column', () => {
    const { statements } = parseKeepalivedText('global_defs {\n   router_id  LVS_A\n}', 'k.conf');
    const routerId = statements[0]?.children?.[0];
    expect(routerId?.keyword.location).toEqual({ file: 'k.conf', line: 2, column: 4 });
    expect(routerId?.args[0]?.location).toEqual({ file: 'k.conf', line: 2, column: 15 });
  });

  test('unbalanced braces and quotes are errors with their position', () => {
    expect(parseKeepalivedText('vrrp_instance VI_1 {\n  state MASTER\n', 'a.conf').problems).toEqual([
      { severity: 'error', message: 'block opened here is never closed (missing "}")', location: { file: 'a.conf', line: 1, column: 20 } },
    ]);
    expect(parseKeepalivedText('}\n', 'b.conf').problems).toEqual([
      { severity: 'error', message: 'unexpected "}" with no block open', location: { file: 'b.conf', line: 1, column: 1 } },
    ]);
    expect(parseKeepalivedText('notify "/bin/x\n', 'c.conf').problems).toEqual([
      { severity: 'error', message: 'unterminated quoted string', location: { file: 'c.conf', line: 1, column: 8 } },
    ]);
  });
});

describe('macros and conditional lines', () => {
  test('$NAME=value defines, $NAME and ${NAME} expand', () => {
    const text = ['$IFACE=eth1', '$VIP=192.0.2.100', 'interface $IFACE', 'virtual_ipaddress { ${VIP}/24 }'].join('\n');
    expect(shape(parseKeepalivedText(text, 'k.conf').statements)).toEqual(['interface eth1', ['virtual_ipaddress', ['192.0.2.100/24']]]);
  });

  test('an undefined macro is a warning and stays as written', () => {
    const { statements, problems } = parseKeepalivedText('interface $NOPE', 'k.conf');
    expect(statements[0]?.args[0]?.text).toBe('$NOPE');
    expect(problems).toEqual([{ severity: 'warning', message: 'macro $NOPE is not defined; kept as written', location: { file: 'k.conf', line: 1, column: 11 } }]);
  });

  test('@id lines apply only on that config id, @^id lines everywhere else', () => {
    const text = ['@lb1 priority 150', '@lb2 priority 100', '@^lb1 state BACKUP'].join('\n');
    expect(shape(parseKeepalivedText(text, 'k.conf', { configId: 'lb1' }).statements)).toEqual(['priority 150']);
    expect(shape(parseKeepalivedText(text, 'k.conf', { configId: 'lb2' }).statements)).toEqual(['priority 100', 'state BACKUP']);
  });
});

describe('include', () => {
  const dir = scratchDir('syntax');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('relative to the including file, with globs in sorted order, positions from the included file', () => {
    mkdirSync(join(dir, 'conf.d'));
    writeFileSync(join(dir, 'keepalived.conf'), 'global_defs {\n router_id A\n}\ninclude conf.d/*.conf\n');
    writeFileSync(join(dir, 'conf.d', '20-b.conf'), 'vrrp_instance B {\n}\n');
    writeFileSync(join(dir, 'conf.d', '10-a.conf'), '\nvrrp_instance A {\n}\n');
    writeFileSync(join(dir, 'conf.d', 'notes.txt'), 'not included');
    const result = parseKeepalivedFile(join(dir, 'keepalived.conf'));
    expect(result.problems).toEqual([]);
    expect(shape(result.statements)).toEqual([['global_defs', ['router_id A']], ['vrrp_instance A', []], ['vrrp_instance B', []]]);
    expect(result.statements[1]?.keyword.location).toEqual({ file: join(dir, 'conf.d', '10-a.conf'), line: 2, column: 1 });
  });

  test('a pattern matching nothing is a warning; a missing plain file is an error at the include', () => {
    writeFileSync(join(dir, 'main2.conf'), 'include none/*.conf\ninclude missing.conf\n');
    const { problems } = parseKeepalivedFile(join(dir, 'main2.conf'));
    expect(problems).toEqual([
      { severity: 'warning', message: 'include none/*.conf matches no file', location: { file: join(dir, 'main2.conf'), line: 1, column: 9 } },
      { severity: 'error', message: `cannot read ${join(dir, 'missing.conf')}: no such file`, location: { file: join(dir, 'main2.conf'), line: 2, column: 9 } },
    ]);
  });

  test('an include loop stops with an error instead of recursing forever', () => {
    writeFileSync(join(dir, 'loop.conf'), 'include loop.conf\n');
    const { problems } = parseKeepalivedFile(join(dir, 'loop.conf'));
    expect(problems.some((p) => p.severity === 'error' && p.message.includes('nested more than 8 deep'))).toBe(true);
  });
});
