// ESLint (flat config) with typescript-eslint's recommended rules over the whole tree.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.data/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        Buffer: 'readonly',
        URL: 'readonly',
        globalThis: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
        setImmediate: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' },
      ],
      // Nest providers are classes with constructor-injected members and no body.
      '@typescript-eslint/no-extraneous-class': 'off',
      // Raw SQL rows and parsed JSON are typed at their use; a warning keeps new ones visible.
      '@typescript-eslint/no-explicit-any': 'warn',
    },
  },
  {
    // Clinical writes go through the one unit of work (libs/registry/src/writes/clinical-writes.ts),
    // which owns the transaction, locks, If-Match, the case facts refresh, the audit events and
    // idempotency: a feature cannot open its own transaction or write facts or audit by hand.
    files: ['libs/registry/src/{cases,patients,follow-ups,complications,imports,questionnaires}/**/*.ts'],
    ignores: ['**/*.spec.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: '@ilr/persistence',
              importNames: ['CaseFactsRepository', 'IdempotencyRepository'],
              message: 'Write through ClinicalWrites: it refreshes facts and handles Idempotency-Keys.',
            },
          ],
          patterns: [
            {
              group: ['**/audit/audit.service.js'],
              importNames: ['AuditService'],
              message: 'Queue audit events with tx.audit() inside ClinicalWrites.',
            },
          ],
        },
      ],
      'no-restricted-syntax': [
        'error',
        {
          selector: "CallExpression[callee.property.name='transaction']",
          message: 'Open writes with ClinicalWrites (run, create, onCase, createOnCase, onPatient).',
        },
      ],
    },
  },
  {
    files: ['**/*.spec.ts', 'test/**/*.ts', 'bench/**/*.ts'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off', '@typescript-eslint/no-explicit-any': 'off' },
  },
);
