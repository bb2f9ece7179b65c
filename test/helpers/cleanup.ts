// Runs in every test file (vitest setupFiles): after the file's own afterAll hooks, whatever its
// tests made in temporary directories goes, and so do namespace labs a failed test did not
// destroy, whether its tests passed or not. (Vitest ends its workers without running process
// 'exit' hooks, so those are no last resort here.)
import { afterAll } from 'vitest';
import { destroyLiveLabsSync } from '../../src/cli/lab/namespaces.js';
import { removeScratchDirs } from './scratch.js';

afterAll(() => {
  destroyLiveLabsSync();
  removeScratchDirs();
});
