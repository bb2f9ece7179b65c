// The code cache loader (src/cli/code-cache.ts): a cache is used only with the build of the bundle
// it was made for and by a V8 that takes it; otherwise the module runs as without one.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { codeCacheStatus, loadCachedModule, writeCodeCache } from '../../src/cli/code-cache.js';
import { nativeShims } from '../../src/linux/native.js';
import { scratchDir } from '../helpers/scratch.js';

/** A CommonJS "bundle" of build `id` whose export says which build it is and what require finds. */
function bundle(dir: string, id: string): string {
  const file = join(dir, 'bundle.cjs');
  const functions = Array.from({ length: 50 }, (_, i) => `function f${i}(x) { return x * ${i} + ${JSON.stringify(id)}.length; }`).join('\n');
  writeFileSync(file, `// vrrpd-bundle ${id}\n'use strict';\n${functions}\nmodule.exports = { build: ${JSON.stringify(id)}, sum: f49(2), file: __filename, join: require('node:path').join('a', 'b'), self: typeof require.resolve };\n`);
  return file;
}

describe('loadCachedModule', () => {
  test('without a cache the module runs; with the cache written for its build, V8 uses it', () => {
    const dir = scratchDir('code-cache');
    const file = bundle(dir, 'aaaa');
    const cache = `${file}.cache`;
    const first = loadCachedModule(file, cache);
    expect(first.status).toBe('absent');
    expect(first.exports).toEqual({ build: 'aaaa', sum: 102, file, join: 'a/b', self: 'function' });
    writeCodeCache(first.script, file, cache);
    expect(readFileSync(cache).subarray(0, 22).toString()).toBe('vrrpd-code-cache aaaa\n');
    const second = loadCachedModule(file, cache);
    expect(second.status).toBe('used');
    expect(codeCacheStatus()).toBe('used');
    expect(second.exports).toEqual(first.exports);
  });

  test("read through the native shim (the daemon's way), the same cache is used both ways and the module runs alike", () => {
    const dir = scratchDir('code-cache');
    const file = bundle(dir, 'dddd');
    const cache = `${file}.cache`;
    const reader = nativeShims();
    const first = loadCachedModule(file, cache, reader);
    expect(first.status).toBe('absent');
    writeCodeCache(first.script, file, cache);
    const byShim = loadCachedModule(file, cache, reader);
    expect(byShim.status).toBe('used');
    expect(byShim.exports).toEqual({ build: 'dddd', sum: 102, file, join: 'a/b', self: 'function' });
    writeCodeCache(loadCachedModule(file, cache).script, file, cache);
    expect(loadCachedModule(file, cache, reader).status).toBe('used');
    // Not ASCII: the shim leaves it to Node's UTF-8 decoding.
    writeFileSync(file, `${readFileSync(file, 'utf8')}module.exports.text = 'é';\n`);
    expect(loadCachedModule(file, cache, reader).exports).toMatchObject({ build: 'dddd', text: 'é' });
  });

  test("a cache made for another build of the same length is not used (V8 would take it: it compares only the source's length)", () => {
    const dir = scratchDir('code-cache');
    const file = bundle(dir, 'aaaa');
    const cache = `${file}.cache`;
    writeCodeCache(loadCachedModule(file, cache).script, file, cache);
    const rebuilt = bundle(dir, 'bbbb');
    const loaded = loadCachedModule(rebuilt, cache);
    expect(loaded.status).toBe('stale');
    expect(codeCacheStatus()).toBe('stale');
    expect(loaded.exports).toMatchObject({ build: 'bbbb' });
  });

  test('a cache V8 does not take (another V8, other flags: here corrupt) is rejected and the module runs as without one', () => {
    const dir = scratchDir('code-cache');
    const file = bundle(dir, 'cccc');
    const cache = `${file}.cache`;
    writeFileSync(cache, Buffer.concat([Buffer.from('vrrpd-code-cache cccc\n'), Buffer.alloc(4096, 7)]));
    const loaded = loadCachedModule(file, cache);
    expect(loaded.status).toBe('rejected');
    expect(loaded.exports).toMatchObject({ build: 'cccc', sum: 102 });
  });

  test('a bundle without its build line gets no cache written', () => {
    const dir = scratchDir('code-cache');
    const file = join(dir, 'plain.cjs');
    writeFileSync(file, 'module.exports = 1;\n');
    const loaded = loadCachedModule(file, `${file}.cache`);
    expect(loaded).toMatchObject({ exports: 1, status: 'absent' });
    expect(() => writeCodeCache(loaded.script, file, `${file}.cache`)).toThrow(/does not start with its "\/\/ vrrpd-bundle <id>" line/);
  });
});
