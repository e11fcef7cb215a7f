// Type-aware lint for every workspace; the floating-promise and misused-promise rules catch lost awaits in handlers.
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/node_modules', '**/src/generated', '**/test/generated', 'docker', 'charts'] },
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': [
        'error',
        { allowForKnownSafeCalls: [{ from: 'package', package: 'node:test', name: ['test', 'describe', 'it', 'suite'] }] },
      ],
      // Handler types are Promise-returning by contract; a synchronous body is fine.
      '@typescript-eslint/require-await': 'off',
      // Express 5 awaits async handlers and forwards their rejections to the error middleware.
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }],
    },
  },
);
