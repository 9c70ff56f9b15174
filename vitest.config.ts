import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';

const require = createRequire(import.meta.url);

export default defineConfig({
  // One graphql module for our sources and for node_modules (graphql-yoga, stitch): otherwise
  // vitest loads two copies and graphql-js refuses types "from another module or realm".
  resolve: { alias: [{ find: /^graphql$/, replacement: require.resolve('graphql') }] },
  test: {
    include: ['test/**/*.test.ts'],
    // Every e2e file starts its own identity provider, subgraphs and gateway on OS-chosen
    // ports; two cores are enough for two files at a time.
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
