import { describe, expect, it } from 'vitest';
import { runToExit } from '../support/process.ts';

describe('the test run', () => {
  it('fails when a test is focused with .only', async () => {
    const result = await runToExit(
      ['node_modules/vitest/vitest.mjs', 'run', '--config', 'tests/fixtures/only/vitest.config.ts'],
      { CI: '' },
    );
    expect(result.code).not.toBe(0);
    expect(`${result.stdout}${result.stderr}`).toMatch(/\.only/);
  });
});
