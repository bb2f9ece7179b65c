// `track_file NAME { ... }` (`vrrp_track_file` is keepalived's older name): a file whose number,
// times the weight, adjusts the priority of the instances tracking it.
import { MAX_TRACK_FILE_WEIGHT } from '../limits.js';
import type { GlobalDefs, TrackFileConfig } from '../model.js';
import { declare } from './define.js';
import { initFile, weight, word, lazyKeywords } from './kinds.js';
import type { BlockType } from './registry.js';

const { keyword, key, keys } = declare<TrackFileConfig, GlobalDefs>();

// Made at the first block read or written (lazyKeywords): a configuration without one never
// reads them, and making them cost every daemon's start before its first advertisement.
const trackFileKeywords = lazyKeywords<TrackFileConfig, GlobalDefs>(() => [
  keyword('file', word('a file name', ['/run/vrrpd/weight']), key('path'), { write: 'always' }),
  // A track_file's own weight multiplies the value read, so it may be large.
  keyword('weight', weight(MAX_TRACK_FILE_WEIGHT), keys(['weight', 'reverse'], { default: { weight: 1, reverse: false } })),
  keyword('init_file', initFile, key('initFile')),
]);

export const TRACK_FILE: BlockType<TrackFileConfig, GlobalDefs> = {
  keyword: 'track_file',
  aliases: ['vrrp_track_file'],
  collection: 'trackFiles',
  naming: 'named',
  yaml: { kind: 'named', key: 'trackFiles', what: (name) => `track_file ${name}` },
  create: (name) => ({ name, path: '' }) as TrackFileConfig,
  fields: [],
  get keywords() {
    return trackFileKeywords();
  },
};
