// `vrrp_script NAME { ... }`: a check command run periodically; instances track it. Its body holds
// a `script`, or one of keepalived's checker blocks instead (keywords/checkers.ts: HTTP_GET,
// SSL_GET, TCP_CHECK, PING_CHECK, DNS_CHECK, UDP_CHECK, SMTP_CHECK), run in-process with no process per run.
import { CHECKER_TYPES, checkerRunBoundMs, UNSUPPORTED_CHECKER_TYPES, type CheckerType } from '../checkers.js';
import type { GlobalDefs, TrackScriptConfig } from '../model.js';
import { CHECKER_YAML_KEYS, checkerKind, resolveCheckerDefaults } from './checkers.js';
import { declare, Derived } from './define.js';
import { commandLine, integer, present, seconds, unimplemented, userAndGroup, weight, lazyKeywords } from './kinds.js';
import type { BlockType, Mutable } from './registry.js';

const { keyword, key, keys, accepted } = declare<TrackScriptConfig, GlobalDefs>();

/** The one field the checker blocks fill (one field: they exclude each other). */
const checkerField = key('checker');

const isChecker = (word: string): word is CheckerType => (CHECKER_TYPES as readonly string[]).includes(word);

// Made at the first block read or written (lazyKeywords): a configuration without one never
// reads them, and making them cost every daemon's start before its first advertisement.
const vrrpScriptKeywords = lazyKeywords<TrackScriptConfig, GlobalDefs>(() => [
  // Written whenever there is no checker block in its place (an empty one says "no script").
  keyword('script', commandLine, key('script'), { write: (value, script) => value !== '' || script.checker === undefined }),
  keyword('interval', seconds(86_400), key('intervalMs', { default: 1000 })),
  // keepalived: the timeout defaults to the interval; a checker's run takes as long as its attempts may.
  keyword('timeout', seconds(86_400), key('timeoutMs', { default: new Derived((script: TrackScriptConfig) => (script.checker ? checkerRunBoundMs(script.checker) : script.intervalMs)) })),
  // 0: failure means Fault; otherwise added while OK (negative: subtracted while failed).
  keyword('weight', weight(253), keys(['weight', 'reverse'], { default: { weight: 0, reverse: false } })),
  keyword('rise', integer(1, 1_000_000), key('rise', { default: 1 })),
  keyword('fall', integer(1, 1_000_000), key('fall', { default: 1 })),
  keyword('user', userAndGroup, key('user')),
  keyword('init_fail', present(true), key('initFail', { default: false })),
  // One checker block instead of script: one of them per vrrp_script.
  ...CHECKER_TYPES.map((type) => keyword(type, checkerKind(type), checkerField, { exclusive: true, yaml: { key: CHECKER_YAML_KEYS[type] } })),
  ...UNSUPPORTED_CHECKER_TYPES.map((type) =>
    accepted(type, unimplemented((name) => VRRP_SCRIPT_INSTEAD[name as (typeof UNSUPPORTED_CHECKER_TYPES)[number]]), { yaml: false }),
  ),
]);

/** What a vrrp_script says for the checker blocks that are not a vrrp_script's (keepalived has them only in a real_server). */
const VRRP_SCRIPT_INSTEAD: Record<(typeof UNSUPPORTED_CHECKER_TYPES)[number], string> = {
  MISC_CHECK: 'MISC_CHECK is a script: give the vrrp_script its script instead; the block is ignored',
  FILE_CHECK: 'FILE_CHECK is a real_server checker: a vrrp_instance tracks the file with track_file; the block is ignored',
  BFD_CHECK: 'BFD_CHECK is a real_server checker: a vrrp_instance tracks the session with track_bfd; the block is ignored',
};

export const VRRP_SCRIPT: BlockType<TrackScriptConfig, GlobalDefs> = {
  keyword: 'vrrp_script',
  aliases: [],
  collection: 'scripts',
  naming: 'named',
  yaml: { kind: 'named', key: 'vrrpScripts', what: (name) => `vrrp_script ${name}` },
  create: (name) => ({ name, script: '' }) as TrackScriptConfig,
  fields: [],
  get keywords() {
    return vrrpScriptKeywords();
  },
  finish: (script, { statement }) => {
    const children = statement.children ?? [];
    const block = children.filter((child) => isChecker(child.keyword.text)).pop();
    if (script.checker && block) {
      const model = script as Mutable<TrackScriptConfig>;
      // A checker's delay_loop is its interval when the vrrp_script gives none.
      if (script.checker.delayLoopMs !== undefined && !children.some((child) => child.keyword.text === 'interval')) model.intervalMs = script.checker.delayLoopMs;
      model.checker = resolveCheckerDefaults(script.checker, block, model.intervalMs);
    }
    return true;
  },
};
