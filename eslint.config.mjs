import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'dist/',
      'node_modules/',
      'data/',
      'coverage/',
      '.kbcheck/',
      'tests/artifacts/',
      'bench-results/',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  // The floor plan (README "Architecture"): dependencies point inward. The brain (bot/) and the
  // knowledge layer never reach a channel, the hotline or the composition root; channels and the
  // hotline never reach each other or the composition root; nothing imports app/.
  ...[
    { files: ['knowledge/**/*.ts'], deny: ['bot', 'app', 'channels', 'hotline', 'storage'] },
    { files: ['core/**/*.ts'], deny: ['bot', 'app', 'channels', 'hotline', 'knowledge'] },
    { files: ['storage/**/*.ts'], deny: ['bot', 'app', 'channels', 'hotline', 'knowledge'] },
    { files: ['bot/**/*.ts'], deny: ['app', 'channels', 'hotline'] },
    { files: ['channels/**/*.ts'], deny: ['app', 'hotline', 'bot'] },
    { files: ['hotline/**/*.ts'], deny: ['app', 'channels', 'bot'] },
  ].map(({ files, deny }) => ({
    files,
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: deny.map((folder) => ({
            regex: `^(\\.\\./)+${folder}(/|$)`,
            message: `the floor plan: ${files[0].split('/')[0]}/ must not import ${folder}/ (see README, Architecture)`,
          })),
        },
      ],
    },
  })),
  {
    // Scripts that run in the citizen's browser.
    files: ['channels/*/public/**/*.js', 'hotline/console/public/**/*.js'],
    languageOptions: {
      globals: {
        window: 'readonly',
        document: 'readonly',
        location: 'readonly',
        URL: 'readonly',
        URLSearchParams: 'readonly',
        CustomEvent: 'readonly',
        localStorage: 'readonly',
        fetch: 'readonly',
        EventSource: 'readonly',
        Option: 'readonly',
        setInterval: 'readonly',
        setTimeout: 'readonly',
        console: 'readonly',
      },
    },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    languageOptions: {
      globals: {
        module: 'writable',
        require: 'readonly',
        process: 'readonly',
        __dirname: 'readonly',
        console: 'readonly',
      },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
