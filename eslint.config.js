import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'demo-out/**', 'coverage/**', '.tmp/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-imports': ['error', {
        paths: [{ name: '@actions/core', message: 'Only src/lib/actions-io.ts may import @actions/core; use its helpers.' }],
      }],
    },
  },
  {
    files: ['src/lib/actions-io.ts', 'test/**', 'scripts/**'],
    rules: { 'no-restricted-imports': 'off' },
  },
);
