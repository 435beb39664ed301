// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', 'reports/', '.distlab/', 'test/fixtures/**/syntax-error*'] },
  js.configs.recommended,
  ...tseslint.configs.strict,
  ...tseslint.configs.stylistic,
  {
    languageOptions: {
      globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', URL: 'readonly', globalThis: 'readonly' },
    },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { args: 'none', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-extraneous-class': 'off',
      '@typescript-eslint/class-literal-property-style': 'off',
      // Handlers default to doing nothing, so stubs compile; hot loops index on purpose.
      '@typescript-eslint/no-empty-function': 'off',
      '@typescript-eslint/prefer-for-of': 'off',
      'no-constant-condition': ['error', { checkLoops: false }],
    },
  },
  {
    // Node code reads like the algorithm: no Math.random, Date or timers (the framework also refuses them at run time).
    files: ['labs/**/src/**/*.ts', 'solutions/**/*.ts'],
    rules: {
      'no-restricted-properties': [
        'error',
        { object: 'Math', property: 'random', message: 'Use this.random() or this.randomInt(): runs must be reproducible.' },
        { object: 'Date', property: 'now', message: 'Use this.now(): time is simulated.' },
      ],
      'no-restricted-globals': [
        'error',
        { name: 'setTimeout', message: 'Use this.setTimer().' },
        { name: 'setInterval', message: 'Use this.setTimer().' },
      ],
    },
  },
);
