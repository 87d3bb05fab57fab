// ESLint flat config (docs/ARCHITECTURE.md, "Lint and format", says why these choices).
import js from '@eslint/js';
import globals from 'globals';
import prettier from 'eslint-config-prettier';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', '.bench-tmp/', '.scratch/', 'test/classic/peers/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts', '**/*.mjs', '**/*.js'],
    languageOptions: { ecmaVersion: 2022, sourceType: 'module', globals: { ...globals.node } },
    rules: {
      // `_name` marks a parameter an interface requires but this implementation does not use.
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' },
      ],
      // Type-only imports stay visible as such (no runtime import for a type; see check:cycles).
      '@typescript-eslint/consistent-type-imports': [
        'error',
        { fixStyle: 'inline-type-imports', disallowTypeAnnotations: false },
      ],
      eqeqeq: ['error', 'always'],
      'no-console': 'off',
    },
  },
  // The browser terminal's page modules run in the browser, not in Node.
  { files: ['web/static/**/*.js'], languageOptions: { globals: { ...globals.browser } } },
  // Last: turns off every stylistic rule Prettier owns, so the two never disagree.
  prettier,
);
