// The transactions between two nftables states.
import { describe, expect, it } from 'vitest';
import { purgeCommands, replaceTable, setsToPurge, updateTable, type NftTable } from '../../src/lb/nft.js';

function table(options: Partial<NftTable> = {}): NftTable {
  return {
    family: 'inet',
    name: 'vrrpd_lb',
    comment: 'vrrpd',
    counters: [{ name: 'a_in' }],
    sets: [
      { name: 'services4', kind: 'map', definition: 'type ipv4_addr : verdict;', elements: new Map([['192.0.2.1', 'jump vs_a']]) },
      { name: 'vs_a_persist', kind: 'map', definition: 'type ipv4_addr : ipv4_addr;', elements: { dynamic: true, values: new Set(['198.51.100.11', '198.51.100.12']) } },
    ],
    chains: [
      { name: 'dnat_prerouting', hook: 'type nat hook prerouting priority dstnat; policy accept;', rules: ['ip daddr vmap @services4'] },
      { name: 'vs_a', rules: ['dnat ip to numgen inc mod 2 map { 0 : 198.51.100.11, 1 : 198.51.100.12 }'] },
    ],
    ...options,
  };
}

describe('nftables transactions', () => {
  it('replacing a table makes sure it exists, deletes it, and builds it again in one file', () => {
    const commands = replaceTable(table());
    expect(commands.slice(0, 3)).toEqual(['add table inet vrrpd_lb', 'delete table inet vrrpd_lb', 'add table inet vrrpd_lb { comment "vrrpd"; }']);
    // Objects before the chains, chains before elements that jump to them, rules last.
    const index = (prefix: string): number => commands.findIndex((command) => command.startsWith(prefix));
    expect(index('add map inet vrrpd_lb services4')).toBeLessThan(index('add chain inet vrrpd_lb vs_a'));
    expect(index('add chain inet vrrpd_lb vs_a')).toBeLessThan(index('add element inet vrrpd_lb services4'));
    expect(index('add element')).toBeLessThan(index('add rule'));
    // A dynamic map's elements are the packet path's: none are written.
    expect(commands.filter((command) => command.includes('vs_a_persist'))).toEqual(['add map inet vrrpd_lb vs_a_persist { type ipv4_addr : ipv4_addr; }']);
  });

  it('an unchanged table needs nothing', () => {
    expect(updateTable(table(), table())).toEqual({ commands: [], replaced: false });
  });

  it('a changed chain is emptied and refilled; unchanged chains and dynamic maps are left alone', () => {
    const next = table({ chains: [table().chains[0]!, { name: 'vs_a', rules: ['dnat ip to numgen inc mod 1 map { 0 : 198.51.100.11 }'] }] });
    expect(updateTable(table(), next).commands).toEqual(['flush chain inet vrrpd_lb vs_a', 'add rule inet vrrpd_lb vs_a dnat ip to numgen inc mod 1 map { 0 : 198.51.100.11 }']);
  });

  it('a service that goes: its element first, then its emptied chain, then its objects', () => {
    const next = table({
      counters: [],
      sets: [{ name: 'services4', kind: 'map', definition: 'type ipv4_addr : verdict;', elements: new Map() }],
      chains: [table().chains[0]!],
    });
    expect(updateTable(table(), next).commands).toEqual([
      'delete element inet vrrpd_lb services4 { 192.0.2.1 }',
      'flush chain inet vrrpd_lb vs_a',
      'delete chain inet vrrpd_lb vs_a',
      'delete map inet vrrpd_lb vs_a_persist',
      'delete counter inet vrrpd_lb a_in',
    ]);
  });

  it('a service that comes: its objects and chain, its rules, then the element that jumps to it', () => {
    const before = table({ counters: [], sets: [{ name: 'services4', kind: 'map', definition: 'type ipv4_addr : verdict;', elements: new Map() }], chains: [table().chains[0]!] });
    expect(updateTable(before, table()).commands).toEqual([
      'add counter inet vrrpd_lb a_in',
      'add map inet vrrpd_lb vs_a_persist { type ipv4_addr : ipv4_addr; }',
      'add chain inet vrrpd_lb vs_a',
      'add rule inet vrrpd_lb vs_a dnat ip to numgen inc mod 2 map { 0 : 198.51.100.11, 1 : 198.51.100.12 }',
      'add element inet vrrpd_lb services4 { 192.0.2.1 : jump vs_a }',
    ]);
  });

  it('an element whose value changes is deleted and added in the same transaction', () => {
    const next = table({ sets: [{ ...table().sets[0]!, elements: new Map([['192.0.2.1', 'jump vs_b']]) }, table().sets[1]!], chains: [...table().chains, { name: 'vs_b', rules: [] }] });
    expect(updateTable(table(), next).commands).toEqual([
      'add chain inet vrrpd_lb vs_b',
      'delete element inet vrrpd_lb services4 { 192.0.2.1 }',
      'add element inet vrrpd_lb services4 { 192.0.2.1 : jump vs_b }',
    ]);
  });

  it("what nftables cannot change in place (a set's type, a hook, the comment) rebuilds the table", () => {
    const next = table({ sets: [{ ...table().sets[0]!, definition: 'type ipv4_addr : verdict; flags interval;' }, table().sets[1]!] });
    const update = updateTable(table(), next);
    expect(update.replaced).toBe(true);
    expect(update.commands[1]).toBe('delete table inet vrrpd_lb');
  });

  it('a dynamic map that lost a value is purged of the elements holding it', () => {
    const next = table({ sets: [table().sets[0]!, { ...table().sets[1]!, elements: { dynamic: true, values: new Set(['198.51.100.11']) } }] });
    const [set] = setsToPurge(table(), next);
    expect(set?.name).toBe('vs_a_persist');
    expect(setsToPurge(next, table())).toEqual([]);
    expect(
      purgeCommands(next, set!, [
        { key: '192.0.2.0', value: '198.51.100.11' },
        { key: '203.0.113.0', value: '198.51.100.12' },
      ]),
    ).toEqual(['delete element inet vrrpd_lb vs_a_persist { 203.0.113.0 }']);
  });
});
