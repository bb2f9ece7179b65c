// nftables through the `nft` tool. Writes go as nft's own syntax on stdin (`nft -f -`): nft sends
// a whole file to the kernel as one batch, so each transaction is applied entirely or not at all.
// Reads use nft's JSON output (`nft -j list ...`), which is meant for programs.
//
// Why the nft tool and not nf_tables netlink: nft is on every host that has nftables, and it does
// the hard part of the encoding (interval sets, concatenated ranges, the userdata that lets `nft
// list ruleset` print vrrpd's sets and maps readably for an operator); netlink would mean
// re-implementing that. Why its text input and not its JSON input: the JSON parser of Debian 12's
// nft (1.0.6) has no statement for updating a dynamic map from the packet path (`update @map
// { key : value }`), which persistence and DR need; the text syntax has everything.
import { TABLE_NAME, type NftFamily } from '../../lb/nft.js';
import { NftablesError, type NftablesPort } from '../../daemon/lb/ports.js';
import { runTool, ToolStartError, type ToolResult } from '../tool-run.js';

/** How long one nft run may take before it is killed (a 1,000-server table loads in well under a second). */
const NFT_TIMEOUT_MS = 30_000;

/** nft, without forking the daemon (tool-run.ts): every rules update and every counters read. */
async function runNft(netns: string | undefined, args: readonly string[], input?: string): Promise<ToolResult> {
  const argv = netns === undefined ? ['nft', ...args] : ['ip', 'netns', 'exec', netns, 'nft', ...args];
  try {
    return await runTool(argv, input ?? '', NFT_TIMEOUT_MS);
  } catch (error) {
    if (error instanceof ToolStartError) throw new NftablesError(`cannot run nft: ${error.message} (vrrpd's load balancer needs the nft tool, Debian package nftables)`, []);
    throw error;
  }
}

/** An element's key or value from nft's JSON as nft writes it in a command: `198.51.100.11 . 80`. */
export function jsonValueText(value: unknown): string {
  if (typeof value === 'string' || typeof value === 'number') return String(value);
  if (value && typeof value === 'object') {
    const object = value as Record<string, unknown>;
    if (Array.isArray(object['concat'])) return object['concat'].map(jsonValueText).join(' . ');
    if (object['elem'] && typeof object['elem'] === 'object') return jsonValueText((object['elem'] as Record<string, unknown>)['val']);
    if (object['prefix'] && typeof object['prefix'] === 'object') {
      const prefix = object['prefix'] as { addr: unknown; len: unknown };
      return `${jsonValueText(prefix.addr)}/${String(prefix.len)}`;
    }
    if (Array.isArray(object['range'])) return object['range'].map(jsonValueText).join('-');
  }
  return JSON.stringify(value);
}

export class NftCli implements NftablesPort {
  /** `netns`: run nft in that network namespace (tests and the lab); the daemon's own otherwise. */
  constructor(private readonly options: { readonly netns?: string } = {}) {}

  async run(commands: readonly string[]): Promise<void> {
    if (commands.length === 0) return;
    const result = await runNft(this.options.netns, ['-f', '-'], commands.join('\n') + '\n');
    if (result.code !== 0) throw new NftablesError(`nft refused the transaction: ${result.stderr.trim() || `exit status ${result.code}`}`, commands);
  }

  async counters(family: NftFamily): Promise<Map<string, { packets: number; bytes: number }>> {
    const counters = new Map<string, { packets: number; bytes: number }>();
    for (const entry of await this.list(['list', 'counters', 'table', family, TABLE_NAME])) {
      const counter = entry['counter'] as { name?: string; packets?: number; bytes?: number } | undefined;
      if (counter?.name !== undefined) counters.set(counter.name, { packets: counter.packets ?? 0, bytes: counter.bytes ?? 0 });
    }
    return counters;
  }

  async elements(family: NftFamily, kind: 'set' | 'map', name: string): Promise<Array<{ key: string; value: string }>> {
    const out: Array<{ key: string; value: string }> = [];
    for (const entry of await this.list(['list', kind, family, TABLE_NAME, name])) {
      const object = (entry['set'] ?? entry['map']) as { elem?: unknown[] } | undefined;
      for (const element of object?.elem ?? []) {
        if (Array.isArray(element)) out.push({ key: jsonValueText(element[0]), value: jsonValueText(element[1]) });
        else out.push({ key: jsonValueText(element), value: '' });
      }
    }
    return out;
  }

  /** `nft -j ARGS`: the objects listed; none when the table or object is not there. */
  private async list(args: readonly string[]): Promise<Array<Record<string, unknown>>> {
    const result = await runNft(this.options.netns, ['-j', ...args]);
    if (result.code !== 0) {
      if (/No such file or directory/.test(result.stderr)) return [];
      throw new NftablesError(`nft ${args.join(' ')}: ${result.stderr.trim()}`, []);
    }
    const parsed = JSON.parse(result.stdout) as { nftables?: Array<Record<string, unknown>> };
    return parsed.nftables ?? [];
  }
}
