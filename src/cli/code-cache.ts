// Loads the daemon's CommonJS bundle (dist/bundle/daemon.cjs) with V8's code cache, built beside it
// at build time (scripts/bundle-daemon.mjs): the functions a start compiles arrive compiled, so
// `vrrpd run` skips most of the parsing and compilation between spawn and the first advertisement
// (~65 ms of CPU on a 2-core machine, bench/RESULTS.md "Start-up"). Node 20 caches no compiled
// code for modules itself (module.enableCompileCache is Node 22), hence node:vm.
//
// A cache that does not fit is never used: V8 rejects one made by another V8 version or with other
// V8 flags (the script then compiles as without a cache), and the loader skips one made for another
// build of the bundle. That second check is ours because V8 only compares the source's length.
// This module imports nothing of vrrpd's: bin/vrrpd loads it from dist/ before any bundle.
import { isAscii } from 'node:buffer';
import { readFileSync, realpathSync, writeFileSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { Script } from 'node:vm';

/**
 * What became of the cache: `used`; `rejected` by V8 (another Node.js or V8 flags); `stale` (made
 * for another build of the bundle); `absent`.
 */
export type CodeCacheStatus = 'used' | 'rejected' | 'stale' | 'absent';

export interface CachedModule {
  readonly exports: unknown;
  readonly status: CodeCacheStatus;
  /** The compiled bundle: its createCachedData() after a warm-up is what the cache holds. */
  readonly script: Script;
}

/** The bundle's first line names its build: `// vrrpd-bundle <sha256 of the rest>`. */
const BUNDLE_ID = /^\/\/ vrrpd-bundle ([0-9a-f]+)\n/;
const CACHE_MAGIC = 'vrrpd-code-cache';

/** Shared with the daemon bundle's own copy of this module (the `started` log line reports it). */
const STATUS_SLOT = Symbol.for('vrrpd.codeCacheStatus');

/** The cache's status for this process, when it runs from the daemon bundle; otherwise undefined. */
export function codeCacheStatus(): CodeCacheStatus | undefined {
  return (globalThis as Record<symbol, CodeCacheStatus | undefined>)[STATUS_SLOT];
}

/** The bundle's build id, from its first line. */
export function bundleId(source: string): string {
  const id = BUNDLE_ID.exec(source)?.[1];
  if (id === undefined) throw new Error('the bundle does not start with its "// vrrpd-bundle <id>" line');
  return id;
}

/**
 * The native shim's readers (native-shims/bundle_source.cc), which bin/vrrpd passes for the daemon
 * bundle: the source as one external string with Node's module wrapper around it, the cache in a
 * Buffer, each read into memory populated in one call. Node's way (readFileSync, then a copy into a
 * V8 string, then the wrapper concatenated) took ~9 ms of a daemon's start on a 2-core machine.
 */
export interface BundleReader {
  /** `before` + the file + `after`; undefined when it is not ASCII. */
  readWrappedSource(path: string, before: string, after: string): string | undefined;
  readWholeFile(path: string): Buffer;
}

/**
 * Runs `file` (a CommonJS module) as Node's require would, with the code cache in `cacheFile` when
 * it was made for this build of it; read through `reader` when given (the source is the same
 * string either way, so a cache made by one is taken by the other: V8 compares its length). Throws
 * when `file` cannot be read (no bundle: bin/vrrpd then runs the ES module bundle instead).
 */
export function loadCachedModule(file: string, cacheFile: string, reader?: BundleReader): CachedModule {
  // Node's wrapper, as Module.wrap puts it around a module's source.
  const [before = '', after = ''] = Module.wrap('\0').split('\0');
  const wrapped = reader?.readWrappedSource(file, before, after) ?? Module.wrap(sourceText(readFileSync(file)));
  const cachedData = cacheFor(wrapped.slice(before.length, before.length + 200), cacheFile, reader);
  // Module-relative requires (the packages left outside the bundle) resolve from where the bundle
  // really is, also when reached through a symbolic link.
  const real = realpathSync(file);
  const script = new Script(wrapped, { filename: real, ...(cachedData.data ? { cachedData: cachedData.data } : {}) });
  const status: CodeCacheStatus = cachedData.data ? (script.cachedDataRejected === true ? 'rejected' : 'used') : cachedData.status;
  (globalThis as Record<symbol, CodeCacheStatus | undefined>)[STATUS_SLOT] = status;
  const module = { exports: {} as unknown };
  const compiled = script.runInThisContext() as (exports: unknown, require: NodeJS.Require, module: { exports: unknown }, filename: string, dirname: string) => void;
  compiled.call(module.exports, module.exports, createRequire(real), module, real, dirname(real));
  return { exports: module.exports, status, script };
}

/** Writes the cache of `script` (compiled from `file`'s source) to `cacheFile`, for this build of `file`. */
export function writeCodeCache(script: Script, file: string, cacheFile: string): void {
  const header = Buffer.from(`${CACHE_MAGIC} ${bundleId(sourceText(readFileSync(file)))}\n`);
  writeFileSync(cacheFile, Buffer.concat([header, script.createCachedData()]));
}

/**
 * The text of a source file. The daemon bundle is ASCII (esbuild's charset: 'ascii'): as Latin-1
 * it becomes a one-byte string without UTF-8 decoding (2 against 14 ms for its 1.5 MB).
 */
function sourceText(bytes: Buffer): string {
  return isAscii(bytes) ? bytes.toString('latin1') : bytes.toString('utf8');
}

/** The cache for the bundle whose source starts with `sourceStart` (its build id's line). */
function cacheFor(sourceStart: string, cacheFile: string, reader: BundleReader | undefined): { data?: Buffer; status: CodeCacheStatus } {
  let bytes: Buffer;
  try {
    bytes = reader ? reader.readWholeFile(cacheFile) : readFileSync(cacheFile);
  } catch {
    return { status: 'absent' };
  }
  const newline = bytes.indexOf(0x0a);
  const header = newline < 0 ? '' : bytes.subarray(0, newline).toString('latin1');
  const id = BUNDLE_ID.exec(sourceStart)?.[1];
  if (id === undefined || header !== `${CACHE_MAGIC} ${id}`) return { status: 'stale' };
  return { data: bytes.subarray(newline + 1), status: 'used' };
}
