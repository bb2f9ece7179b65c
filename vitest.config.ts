import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/helpers/global-setup.ts'],
    // Namespace labs run real daemons; they get their own, longer budget in those files.
    testTimeout: 20_000,
  },
});
