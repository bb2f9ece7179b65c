// A block type declared here, in the test only, and nowhere in src/: `widget NAME { colour ...
// size ... }`. Passed in a registry to the keepalived loader, the YAML loader and both writers, a
// file round-trips through all of them with its positions, defaults and messages, and no other
// code changed. This is what the registry promises the next block types (virtual_server,
// real_server, the checkers, bfd_instance): a declaration and a line in keywords/index.ts.
import { parse } from 'yaml';
import { describe, expect, test } from 'vitest';
import { formatIssue } from '../../src/config/issues.js';
import { loadKeepalivedText } from '../../src/config/keepalived/loader.js';
import { declare } from '../../src/config/keywords/define.js';
import { REGISTRY, type Registry } from '../../src/config/keywords/index.js';
import { integer, word } from '../../src/config/keywords/kinds.js';
import type { BlockType } from '../../src/config/keywords/registry.js';
import type { GlobalDefs, VrrpdConfig } from '../../src/config/model.js';
import { writeKeepalivedConfig } from '../../src/config/write/keepalived.js';
import { writeYamlConfig } from '../../src/config/write/yaml.js';
import { loadYamlText } from '../../src/config/yaml/loader.js';

interface Widget {
  readonly name: string;
  readonly colour: string;
  readonly size: number;
}

// The whole of what a new block type takes: its model (above) and this declaration.
const { keyword, key } = declare<Widget, GlobalDefs>();

const WIDGET: BlockType<Widget, GlobalDefs> = {
  keyword: 'widget',
  aliases: [],
  collection: 'widgets',
  optional: true,
  naming: 'named',
  yaml: { kind: 'named', key: 'widgets', what: (name) => `widget ${name}` },
  create: (name) => ({ name, colour: '' }) as Widget,
  fields: [],
  keywords: [
    keyword('colour', word('a colour', ['red', 'blue']), key('colour'), { write: 'always', aliases: ['color'] }),
    keyword('size', integer(1, 100), key('size', { default: 10 })),
  ],
};

const WITH_WIDGET: Registry = { ...REGISTRY, blocks: [...REGISTRY.blocks, WIDGET] };

const CONF = `vrrp_instance VI_1 {
    interface eth0
    virtual_router_id 51
    virtual_ipaddress {
        192.0.2.100/24
    }
}
widget w1 {
    colour red
    size 12
}
widget w2 {
    color blue
}
`;

const WIDGETS: readonly Widget[] = [
  { name: 'w1', colour: 'red', size: 12 },
  // size: its declared default; `color`: the declared alias.
  { name: 'w2', colour: 'blue', size: 10 },
];

function widgetsOf(config: VrrpdConfig): unknown {
  return (config as unknown as { readonly widgets?: unknown }).widgets;
}

function errorsOf(result: { readonly issues: readonly Parameters<typeof formatIssue>[0][] }): string[] {
  return result.issues.filter((issue) => issue.severity === 'error').map(formatIssue);
}

describe('a block type declared only in a test', () => {
  test('keepalived.conf: the loader reads it with the registry, and not without', () => {
    const loaded = loadKeepalivedText(CONF, 'widgets.conf', {}, WITH_WIDGET);
    expect(loaded.issues.map(formatIssue)).toEqual([]);
    expect(widgetsOf(loaded.config)).toEqual(WIDGETS);
    expect(loaded.config.instances.map((instance) => instance.name)).toEqual(['VI_1']);
    // Positions of its values come from the same declarations.
    expect(loaded.sourceMap?.get('widgets[w1]')).toMatchObject({ file: 'widgets.conf', line: 8 });

    const without = loadKeepalivedText(CONF, 'widgets.conf');
    expect(widgetsOf(without.config)).toBeUndefined();
    expect(without.issues.map(formatIssue).join('\n')).toMatch(/widgets\.conf:8:1: .*widget/);
  });

  test('keepalived.conf: a bad value is an error at file:line:column, an unknown keyword names the nearest', () => {
    const loaded = loadKeepalivedText('widget w1 {\n    colour red\n    size 500\n    colur blue\n}\n', 'bad.conf', {}, WITH_WIDGET);
    const lines = loaded.issues.map(formatIssue);
    expect(lines.find((line) => line.startsWith('bad.conf:3:'))).toMatch(/error: .*size/);
    expect(lines.find((line) => line.startsWith('bad.conf:4:'))).toMatch(/colour/);
  });

  test('the keepalived writer writes it (a default left out), and what it writes loads the same', () => {
    const config = loadKeepalivedText(CONF, 'widgets.conf', {}, WITH_WIDGET).config;
    const text = writeKeepalivedConfig(config, undefined, WITH_WIDGET);
    expect(text).toContain('widget w1 {\n    colour red\n    size 12\n}\n');
    expect(text).toContain('widget w2 {\n    colour blue\n}\n');
    const back = loadKeepalivedText(text, 'written.conf', {}, WITH_WIDGET);
    expect(errorsOf(back)).toEqual([]);
    expect(back.config).toEqual(config);
  });

  test('the YAML writer writes it under its layout key, and the YAML loader reads it back the same', () => {
    const config = loadKeepalivedText(CONF, 'widgets.conf', {}, WITH_WIDGET).config;
    const yaml = writeYamlConfig(config, undefined, WITH_WIDGET);
    expect((parse(yaml) as Record<string, unknown>).widgets).toEqual({ w1: { colour: 'red', size: 12 }, w2: { colour: 'blue' } });
    const back = loadYamlText(yaml, 'widgets.yaml', { registry: WITH_WIDGET });
    expect(errorsOf(back)).toEqual([]);
    expect(back.config).toEqual(config);
    // And the YAML back to keepalived.conf: the text it came from, as the writer says it.
    expect(writeKeepalivedConfig(back.config, undefined, WITH_WIDGET)).toBe(writeKeepalivedConfig(config, undefined, WITH_WIDGET));
  });

  test('YAML: its keys, defaults, positions and "did you mean" come from the declaration', () => {
    const yaml = 'widgets:\n  w1:\n    colour: green\n    size: 0\n    sise: 3\n';
    const loaded = loadYamlText(yaml, 'w.yaml', { registry: WITH_WIDGET });
    const lines = loaded.issues.map(formatIssue);
    expect(lines.find((line) => line.startsWith('w.yaml:4:11:'))).toMatch(/error: .*size/);
    expect(lines.find((line) => line.startsWith('w.yaml:5:5:'))).toMatch(/unknown key "sise" in widget w1 \(did you mean size\?\)/);
    expect(widgetsOf(loaded.config)).toEqual([{ name: 'w1', colour: 'green', size: 10 }]);

    const without = loadYamlText(yaml, 'w.yaml');
    expect(without.issues.map(formatIssue).join('\n')).toMatch(/w\.yaml:1:1: warning: unknown key "widgets"/);
  });
});
