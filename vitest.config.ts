import { defineConfig } from 'vitest/config';

const group = (name: string, extra: Record<string, unknown> = {}) => ({
  extends: true as const,
  test: { name, include: [`tests/${name}/**/*.test.ts`], ...extra },
});

export default defineConfig({
  test: {
    globalSetup: ['tests/support/global-setup.ts'],
    allowOnly: false,
    testTimeout: 20_000,
    hookTimeout: 60_000,
    pool: 'forks',
    projects: [
      group('unit'),
      group('component', { setupFiles: ['tests/support/contract-setup.ts'] }),
      group('integration'),
      group('e2e', { testTimeout: 60_000, setupFiles: ['tests/support/contract-setup.ts'] }),
      group('architecture'),
      group('contract'),
    ],
    coverage: {
      provider: 'v8',
      include: ['src/**/*.ts'],
      exclude: ['src/main.ts', 'src/cli/**'],
      reporter: ['text-summary', 'text'],
      thresholds: { lines: 80 },
    },
  },
});
