import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/helpers/global-setup.ts'],
    // Temporary directories of each test file go after it, also when a test failed.
    setupFiles: ['test/helpers/cleanup.ts'],
    // Namespace labs run real daemons; they get their own, longer budget in those files.
    testTimeout: 20_000,
    // Most of the suite waits on protocol timers in namespace labs (13 min wall, under 3 min CPU
    // on 2 cores), so more test files than cores run at once; each lab has its own namespaces.
    maxWorkers: 4,
  },
});
