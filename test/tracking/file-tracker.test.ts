// track_file: the number read at start and on every change, init_file, and the real watcher.
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { FileTracker, parseTrackedValue } from '../../src/tracking/file-tracker.js';
import { LinuxFiles } from '../../src/linux/tracking-ports.js';
import { capturingLogger } from '../daemon/fakes.js';
import { FakeFiles, settle } from './fakes.js';
import { scratchDir } from '../helpers/scratch.js';

describe('track_file', () => {
  test('numbers as keepalived reads them', () => {
    expect([' 42\n', '-7', '+3 apples', 'x', '', undefined].map(parseTrackedValue)).toEqual([42, -7, 3, 0, 0, 0]);
    // strtol with base 0, as keepalived reads it: hex, octal, and where each stops.
    expect(['0x1F', '-0x10', '010', '08', '0x', '0', '\t 12abc'].map(parseTrackedValue)).toEqual([31, -16, 8, 0, 0, 0, 12]);
    // A C int, and INT_MAX + 1 (weight -1 reaches INT_MIN with it); beyond: ignored.
    expect(['2147483648', '-2147483648', '2147483649', '-2147483649', '99999999999999999999'].map(parseTrackedValue)).toEqual([2_147_483_648, -2_147_483_648, undefined, undefined, undefined]);
  });

  test('init_file creates the file unless it exists; overwrite replaces it', async () => {
    const files = new FakeFiles();
    const { log } = capturingLogger();
    files.contents.set('/run/b', '9');
    const a = new FileTracker({ name: 'a', path: '/run/a', initFile: { value: 5, overwrite: false } }, files, log);
    const b = new FileTracker({ name: 'b', path: '/run/b', initFile: { value: 0, overwrite: false } }, files, log);
    const c = new FileTracker({ name: 'c', path: '/run/b', initFile: { value: 1, overwrite: true } }, files, log);
    await a.initialise();
    await b.initialise();
    expect([a.value, b.value]).toEqual([5, 9]);
    await c.initialise();
    expect(c.value).toBe(1);
  });

  test('a number out of range is ignored with a warning: the value stays (keepalived: "Invalid number ... ignoring")', async () => {
    const files = new FakeFiles();
    const { log, records } = capturingLogger();
    files.contents.set('/run/w', '3');
    const tracker = new FileTracker({ name: 'w', path: '/run/w' }, files, log);
    await tracker.initialise();
    tracker.start();
    let changes = 0;
    tracker.subscribe(() => changes++);
    files.write('/run/w', '4294967296\n');
    await settle();
    expect([tracker.value, changes]).toEqual([3, 0]);
    expect(records().filter((r) => r['event'] === 'track-file-invalid').map((r) => r['msg'])).toEqual(['track_file w: "4294967296" is not a number from -2147483648 to 2147483648; the value stays 3']);
    files.write('/run/w', '0x10');
    await settle();
    expect([tracker.value, changes]).toEqual([16, 1]);
    tracker.stop();
  });

  test('a change is read and announced once; a deleted file reads 0', async () => {
    const files = new FakeFiles();
    const { log, records } = capturingLogger();
    const tracker = new FileTracker({ name: 'maint', path: '/run/maint' }, files, log);
    let changes = 0;
    tracker.subscribe(() => changes++);
    await tracker.initialise();
    tracker.start();
    files.write('/run/maint', '3\n');
    await settle();
    files.write('/run/maint', '3\n');
    await settle();
    files.write('/run/maint', undefined);
    await settle();
    expect(changes).toBe(2);
    expect(records().map((r) => r['msg'])).toEqual(['track_file maint: value 0 -> 3', 'track_file maint: value 3 -> 0']);
  });

  test('the Linux watcher sees a write and a rename over the file', async () => {
    const dir = scratchDir('trackfile');
    const path = join(dir, 'value');
    writeFileSync(path, '1\n');
    const { log } = capturingLogger();
    const tracker = new FileTracker({ name: 'f', path }, new LinuxFiles(), log);
    await tracker.initialise();
    expect(tracker.value).toBe(1);
    tracker.start();
    const until = async (value: number): Promise<void> => {
      const start = Date.now();
      while (tracker.value !== value && Date.now() - start < 3000) await new Promise((resolve) => setTimeout(resolve, 20));
      expect(tracker.value).toBe(value);
    };
    writeFileSync(path, '7\n');
    await until(7);
    writeFileSync(join(dir, 'tmp'), '-2\n');
    renameSync(join(dir, 'tmp'), path);
    await until(-2);
    tracker.stop();
  });

  test('read once its writer has closed it, as keepalived (IN_CLOSE_WRITE): never between the truncation and the write', async () => {
    const dir = scratchDir('trackfile');
    const path = join(dir, 'value');
    writeFileSync(path, '10\n');
    const { log } = capturingLogger();
    const tracker = new FileTracker({ name: 'f', path }, new LinuxFiles(), log);
    await tracker.initialise();
    const seen: number[] = [];
    tracker.subscribe(() => seen.push(tracker.value));
    tracker.start();
    // `echo 20 > value` as a shell does it, held open between its steps: truncate, write, close.
    const handle = await open(path, 'w');
    await new Promise((resolve) => setTimeout(resolve, 300));
    await handle.write('20\n');
    await new Promise((resolve) => setTimeout(resolve, 300));
    // fs.watch reported the truncation and the write (IN_MODIFY): the tracker read an empty file (0) and then 20.
    expect(seen).toEqual([]);
    await handle.close();
    const start = Date.now();
    while (seen.length === 0 && Date.now() - start < 3000) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(seen).toEqual([20]);
    tracker.stop();
  });

  test('a file in a directory that does not exist yet is polled until it appears', async () => {
    const dir = join(scratchDir('trackfile'), 'later');
    const path = join(dir, 'value');
    const { log } = capturingLogger();
    const tracker = new FileTracker({ name: 'f', path }, new LinuxFiles(), log);
    await tracker.initialise();
    tracker.start();
    mkdirSync(dir);
    writeFileSync(path, '4\n');
    const start = Date.now();
    while (tracker.value !== 4 && Date.now() - start < 4000) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(tracker.value).toBe(4);
    tracker.stop();
  });
});
