import { defineConfig } from 'vitest/config';

export default defineConfig({
  plugins: [
    {
      // `import text from '…/x.cnn'` gives the file's text, as esbuild's `text` loader does in scripts/build.mjs.
      name: 'cnn-text',
      enforce: 'pre',
      transform(code, id) {
        return id.endsWith('.cnn') ? { code: `export default ${JSON.stringify(code)};`, map: null } : null;
      },
    },
  ],
  test: {
    include: ['test/unit/**/*.test.ts'],
    // The Node entry points' installs (the host, the engine's runtime), which a test of one module does not go through.
    setupFiles: ['test/unit/setup.ts'],
    environment: 'node',
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
});
