// JavaScript, not TypeScript: ESLint loads a .ts config only through the extra `jiti` package.
import js from '@eslint/js';
import { defineConfig, globalIgnores } from 'eslint/config';
import tseslint from 'typescript-eslint';

export default defineConfig(
  // The generated-client fixture compiles only against types the contract test generates.
  globalIgnores([
    'coverage/',
    'var/',
    'openapi/',
    'tests/architecture/fixtures/',
    'tests/contract/client/',
  ]),
  js.configs.recommended,
  tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
    },
  },
  {
    files: ['**/*.{js,mjs,cjs}'],
    extends: [tseslint.configs.disableTypeChecked],
  },
  {
    files: ['tests/**/*.ts'],
    rules: {
      // Vitest's asymmetric matchers (`expect.any(String)`, ...) are typed `any` so they fit any
      // expected property. Member access and calls on `any` stay errors: bodies need a typed cast.
      '@typescript-eslint/no-unsafe-assignment': 'off',
      // In-memory fakes implement async ports with `async` methods that have nothing to await.
      '@typescript-eslint/require-await': 'off',
    },
  },
);
