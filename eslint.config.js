// @ts-check
import js from '@eslint/js';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import { importX } from 'eslint-plugin-import-x';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/**
 * The floors of src/ (README, "Architecture"): each folder may import only the floors below it.
 * domain is pure; ports and events sit on it; config parses into domain types; the use-case
 * folders meet only through ports and events; adapters implement ports; http and cli drive the
 * use cases; app/ alone constructs adapters and wires the parts.
 */
const USE_CASES = ['supervisor', 'watchdog', 'reconcile', 'sources', 'engines', 'notify', 'metrics', 'controller'];
const only = (folder, allowed, why) => ({
  target: `./src/${folder}`,
  from: './src',
  except: [folder, ...allowed].map((name) => `./${name}`),
  message: `${folder}/ may import only ${[folder, ...allowed].join(', ')}: ${why}`,
});
const FLOORS = [
  only('domain', [], 'the domain is pure'),
  only('ports', ['domain'], 'ports are interfaces over domain types'),
  only('events', ['domain', 'ports'], 'the event maps sit below every part that emits or follows them'),
  only('config', ['domain', 'ports'], 'config parses into domain types'),
  ...USE_CASES.map((folder) => only(folder, ['domain', 'ports', 'events', 'config'], 'use cases meet through ports and events; app/ wires them')),
  only('adapters', ['domain', 'ports', 'config'], 'an adapter implements a port'),
  only('http', ['domain', 'ports', 'events', 'config', ...USE_CASES], 'only app/ constructs adapters'),
  only('cli', ['domain', 'ports', 'config', 'http', 'app'], 'commands reach adapters through app/'),
];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'bench/results/**', 'data/**', 'test/fixtures/**/*.js', 'test/fixtures/**/*.mjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-syntax': [
        'error',
        { selector: "Property[key.name='shell'][value.value=true]", message: 'Never spawn through a shell: pass an argv.' },
      ],
    },
  },
  {
    files: ['src/**/*.ts'],
    ignores: ['src/**/*.test.ts'],
    plugins: { 'import-x': importX },
    settings: {
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
      'import-x/extensions': ['.ts'],
      'import-x/resolver-next': [createTypeScriptImportResolver({ project: './tsconfig.json' })],
    },
    rules: {
      'import-x/no-restricted-paths': ['error', { zones: FLOORS }],
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
    },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: { ...tseslint.configs.disableTypeChecked.languageOptions, globals: globals.node },
  },
);
