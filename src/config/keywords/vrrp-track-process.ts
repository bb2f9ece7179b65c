// `vrrp_track_process NAME { ... }`: how many processes of a name (or command line) run.
import type { GlobalDefs, TrackProcessConfig } from '../model.js';
import { declare } from './define.js';
import { integer, oneOf, present, processWords, seconds, weight, type ProcessWords, lazyKeywords } from './kinds.js';
import type { BlockType, Finishing, Mutable } from './registry.js';

const { keyword, key, keys, field } = declare<TrackProcessConfig, GlobalDefs>();

// Made at the first block read or written (lazyKeywords): a configuration without one never
// reads them, and making them cost every daemon's start before its first advertisement.
const vrrpTrackProcessKeywords = lazyKeywords<TrackProcessConfig, GlobalDefs>(() => [
  // process NAME [PARAMETERS...]: the parameters are matched against the command line.
  keyword(
    'process',
    processWords,
    field(
      'process',
      (tracked): ProcessWords => ({ process: tracked.process, parameters: tracked.parameters }),
      (tracked, value) => {
        if (value.process !== undefined) tracked.process = value.process;
        tracked.parameters = value.parameters;
      },
      { default: { parameters: [] }, keys: ['process', 'parameters'] },
    ),
    { write: 'always' },
  ),
  keyword('param_match', oneOf(['initial', 'partial'] as const, 'initial or partial'), key('paramMatch', { default: 'exact' })),
  keyword('full_command', present(true), key('fullCommand', { default: false })),
  keyword('weight', weight(254), keys(['weight', 'reverse'], { default: { weight: 0, reverse: false } })),
  keyword('quorum', integer(0, 65_535, { examples: [2, 0] }), key('quorum', { default: 1 })),
  keyword('quorum_max', integer(0, 65_535, { examples: [4] }), key('quorumMax')),
  keyword('fork_delay', seconds(3600), key('forkDelayMs', { default: 0 })),
  keyword('terminate_delay', seconds(3600), key('terminateDelayMs', { default: 0 })),
  // Both delays at once; the writer says them one by one.
  keyword(
    'delay',
    seconds(3600),
    field('forkDelayMs', (tracked) => tracked.forkDelayMs, (tracked, ms) => {
      tracked.forkDelayMs = ms;
      tracked.terminateDelayMs = ms;
    }, { keys: ['forkDelayMs', 'terminateDelayMs'] }),
    { write: 'never' },
  ),
]);

export const VRRP_TRACK_PROCESS: BlockType<TrackProcessConfig, GlobalDefs> = {
  keyword: 'vrrp_track_process',
  aliases: [],
  collection: 'trackProcesses',
  naming: 'named',
  yaml: { kind: 'named', key: 'vrrpTrackProcesses', what: (name) => `vrrp_track_process ${name}` },
  create: (name) => ({ name, process: '' }) as TrackProcessConfig,
  fields: [],
  get keywords() {
    return vrrpTrackProcessKeywords();
  },
  finish: (tracked: Mutable<TrackProcessConfig>, _: Finishing<GlobalDefs>) => {
    // keepalived: quorum_max 0 means "failed while any is running", so the quorum becomes 0.
    if (tracked.quorumMax === 0) tracked.quorum = 0;
    return true;
  },
};
