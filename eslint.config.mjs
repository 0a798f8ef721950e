import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.data/**', '.neo4j/**', '.gpu/**', 'neo4j/**', 'coverage/**', '.venv-models/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: { console: 'readonly', process: 'readonly', require: 'readonly', module: 'writable', __dirname: 'readonly', fetch: 'readonly', Buffer: 'readonly' },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-require-imports': 'off',
    },
  },
  {
    // Output types take the project's @ObjectType (plain fields as default-resolver reads).
    files: ['resolvers/**/*.ts'],
    ignores: ['resolvers/types/objectType.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: 'type-graphql',
              importNames: ['ObjectType'],
              message: 'Use ObjectType from resolvers/types/objectType.ts.',
            },
          ],
        },
      ],
    },
  },
);
