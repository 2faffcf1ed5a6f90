import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Compiles the HTML viewer when its source is newer than the script the page writer inlines.
    globalSetup: ['test/helpers/viewer-build.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
