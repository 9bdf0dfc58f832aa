// eslint for the TypeScript sources and tests: `npm run lint:check` (prettier formats).
import eslint from '@eslint/js';
import prettier from 'eslint-config-prettier';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    // apiValues.ts is generated from grading_service/records.py.
    ignores: ['lib/', 'node_modules/', 'src/apiValues.ts', '*.cjs', 'style/']
  },
  eslint.configs.recommended,
  {
    files: ['src/**/*.ts'],
    extends: [tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      // The test config covers src/ and src/**/__tests__ (the build config leaves tests out).
      parserOptions: { project: './tsconfig.test.json', tsconfigRootDir: import.meta.dirname }
    },
    rules: {
      // JupyterLab's conventions: interfaces start with I; command ids and option types
      // live in namespaces (`CommandIDs`, `ICodeRunnerClient.IWaitOptions`).
      '@typescript-eslint/naming-convention': [
        'error',
        { selector: 'interface', format: ['PascalCase'], custom: { regex: '^I[A-Z]', match: true } }
      ],
      '@typescript-eslint/no-namespace': 'off',
      // Lumino signals take the slot and its `this` apart: `connect(this._onX, this)`.
      '@typescript-eslint/unbound-method': 'off',
      eqeqeq: 'error',
      curly: 'error'
    }
  },
  prettier
);
