// A failover rehearsed at start, sending nothing. V8 compiles a function the first time it runs
// and runs it interpreted at first, so the first failover of a process ran the code of becoming
// Master cold: with 20 ms advertisements a Backup's first advertisement after a priority-0 one
// left 0.8 ms later, and its gratuitous ARP 1.4 ms later, than in the same process's next
// failovers (which matched keepalived's). Running an instance's state machine once through
// becoming Master and shutting down - on a virtual clock, into ports that encode advertisements
// and build announcement frames but send nothing - compiles that code before it is needed.
import { masterDownInterval } from '../protocol/timers.js';
import type { VirtualRouterConfig } from '../protocol/config.js';
import { VirtualRouter } from '../protocol/virtual-router.js';
import { VirtualClock } from '../sim/virtual-clock.js';
import { InstanceActions, type InstanceBinding } from './instance-actions.js';
import type { Logger } from './log.js';
import type { AnnouncePort } from './ports.js';

/** What the rehearsal needs of a running instance: its binding, address and announcer. */
export interface Rehearsed {
  readonly binding: InstanceBinding;
  /** The source of its advertisements. */
  readonly source: string;
  readonly announcer: AnnouncePort;
}

export function rehearseFailover({ binding, source, announcer }: Rehearsed, log: Logger): void {
  const config: VirtualRouterConfig = binding.router;
  const clock = new VirtualClock();
  const actions = new InstanceActions(
    binding,
    {
      channel: { sourceAddress: source, send: () => undefined },
      addresses: { add: nothing, remove: nothing },
      routes: { addRoute: nothing, removeRoute: nothing, addRule: nothing, removeRule: nothing },
      announcer: { announce: (addresses) => announcer.prepare(addresses), prepare: (addresses) => announcer.prepare(addresses) },
    },
    log.child({}, { level: 'silent' }),
  );
  const router: VirtualRouter = new VirtualRouter(config, { clock, primaryAddress: source, emit: (action) => actions.perform(action, router.priority) });
  router.start(0);
  clock.advanceBy(masterDownInterval(config.version, config.priority, config.advertIntervalMs) + 1);
  router.shutdown();
}

async function nothing(): Promise<void> {}
