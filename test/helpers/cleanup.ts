// Runs in every test file (vitest setupFiles): after the file's own afterAll hooks, whatever its
// tests made in temporary directories goes, whether they passed or not.
import { afterAll } from 'vitest';
import { removeScratchDirs } from './scratch.js';

afterAll(removeScratchDirs);
