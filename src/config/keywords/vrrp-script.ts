// `vrrp_script NAME { ... }`: a check command run periodically; instances track it.
import type { GlobalDefs, TrackScriptConfig } from '../model.js';
import { declare, Derived } from './define.js';
import { commandLine, integer, present, seconds, userAndGroup, weight } from './kinds.js';
import type { BlockType } from './registry.js';

const { keyword, key, keys } = declare<TrackScriptConfig, GlobalDefs>();

export const VRRP_SCRIPT: BlockType<TrackScriptConfig, GlobalDefs> = {
  keyword: 'vrrp_script',
  aliases: [],
  collection: 'scripts',
  naming: 'named',
  yaml: { kind: 'named', key: 'vrrpScripts', what: (name) => `vrrp_script ${name}` },
  create: (name) => ({ name, script: '' }) as TrackScriptConfig,
  fields: [],
  keywords: [
    keyword('script', commandLine, key('script'), { write: 'always' }),
    keyword('interval', seconds(86_400), key('intervalMs', { default: 1000 })),
    // keepalived: the timeout defaults to the interval.
    keyword('timeout', seconds(86_400), key('timeoutMs', { default: new Derived((script: TrackScriptConfig) => script.intervalMs) })),
    // 0: failure means Fault; otherwise added while OK (negative: subtracted while failed).
    keyword('weight', weight(253), keys(['weight', 'reverse'], { default: { weight: 0, reverse: false } })),
    keyword('rise', integer(1, 1_000_000), key('rise', { default: 1 })),
    keyword('fall', integer(1, 1_000_000), key('fall', { default: 1 })),
    keyword('user', userAndGroup, key('user')),
    keyword('init_fail', present(true), key('initFail', { default: false })),
  ],
};
