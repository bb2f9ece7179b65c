// The load balancer's rules on the host: the tables ruleset.ts describes, applied through the
// nftables port. At start the tables replace whatever vrrpd left (a SIGKILLed vrrpd leaves its
// tables behind, still forwarding); afterwards only what changed is sent, one transaction per
// change, so counters, persistence and DR flows survive. vrrpd's tables are the only ones it names.
import type { Logger } from '../../core/log.js';
import { SerialQueue } from '../../core/serial-queue.js';
import { deleteTable, purgeCommands, replaceTable, setsToPurge, updateTable, type NftFamily, type NftTable } from '../../lb/nft.js';
import type { Tables } from '../../lb/ruleset.js';
import { NftablesError, type NftablesPort } from './ports.js';

const FAMILIES: readonly NftFamily[] = ['inet', 'netdev'];

/** A purge that meets an element which expired meanwhile fails as a whole; it is read and tried again this often. */
const PURGE_ATTEMPTS = 3;

export interface ApplyResult {
  /** Commands sent. */
  readonly commands: number;
  /** Whether a table was rebuilt whole (a change nftables cannot make in place). */
  readonly replaced: boolean;
}

export class RulesWriter {
  private applied: Tables = {};
  private readonly queue = new SerialQueue();

  constructor(
    private readonly nft: NftablesPort,
    private readonly log: Logger,
  ) {}

  /** The tables now in the kernel, as vrrpd last wrote them. */
  get tables(): Tables {
    return this.applied;
  }

  /** Replaces vrrpd's tables of every family with these (a family without services: its table goes), in one transaction. */
  start(tables: Tables): Promise<ApplyResult> {
    return this.serially(async () => {
      const commands = FAMILIES.flatMap((family) => {
        const table = tables[family];
        return table ? replaceTable(table) : deleteTable(family);
      });
      await this.nft.run(commands);
      this.applied = tables;
      return { commands: commands.length, replaced: true };
    });
  }

  /** Brings the kernel from what was applied to `tables` in one transaction, then purges dynamic maps of destinations that left. */
  update(tables: Tables): Promise<ApplyResult> {
    return this.serially(async () => {
      const commands: string[] = [];
      let replaced = false;
      for (const family of FAMILIES) {
        const before = this.applied[family];
        const after = tables[family];
        if (!before && !after) continue;
        if (!after) commands.push(...deleteTable(family));
        else if (!before) commands.push(...replaceTable(after));
        else {
          const update = updateTable(before, after);
          commands.push(...update.commands);
          replaced ||= update.replaced;
        }
      }
      if (commands.length > 0) await this.nft.run(commands);
      const previous = this.applied;
      this.applied = tables;
      for (const family of FAMILIES) {
        const table = tables[family];
        if (table) await this.purge(previous[family], table);
      }
      return { commands: commands.length, replaced };
    });
  }

  /** Removes vrrpd's tables. */
  stop(): Promise<void> {
    return this.serially(async () => {
      await this.nft.run(FAMILIES.flatMap((family) => deleteTable(family)));
      this.applied = {};
    });
  }

  /**
   * After the transaction that took a destination out, no new element can point at it: those left
   * are read and deleted. An element that expires between the read and the delete fails the delete;
   * then it is read again.
   */
  private async purge(previous: NftTable | undefined, table: NftTable): Promise<void> {
    for (const set of setsToPurge(previous, table)) {
      for (let attempt = 1; ; attempt++) {
        try {
          const elements = await this.nft.elements(table.family, set.kind, set.name);
          await this.nft.run(purgeCommands(table, set, elements));
          break;
        } catch (error) {
          if (!(error instanceof NftablesError) || attempt >= PURGE_ATTEMPTS) {
            this.log.warn({ event: 'lb-purge-failed', set: set.name, error: (error as Error).message }, `could not remove the entries of departed servers from ${set.name}: ${(error as Error).message}`);
            break;
          }
        }
      }
    }
  }

  private serially<T>(task: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      void this.queue.enqueue(async () => resolve(await task()), reject);
    });
  }
}
