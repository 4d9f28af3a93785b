import { defineConfig } from 'vitest/config';

export default defineConfig({
  esbuild: { target: 'es2022' },
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // The project's own TypeScript, by path: the `typescript-5` alias (for the packed-install test) also ships a `tsc` bin.
    typecheck: {
      enabled: true,
      checker: 'node_modules/typescript/bin/tsc',
      include: ['test/**/*.test-d.ts'],
      tsconfig: './tsconfig.json',
    },
  },
});
