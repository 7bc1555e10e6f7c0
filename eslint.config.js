// @ts-check
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/**
 * The layer rules of the architecture (README.md, "Architecture"), as import restrictions. Each
 * entry names the paths a layer may not import and says why. The patterns match the import as
 * written: a relative path reaching into the folder of another layer (`../ports/…`,
 * `../../adapters/local/…`), or a package.
 */
const FORBIDDEN = {
  ports: {
    group: ['**/ports/**'],
    message: 'The domain and extraction are pure: they know nothing of the outside services (ports). Move the type into shared/domain and let the port import it from there.',
  },
  adapters: {
    group: ['**/adapters/**'],
    message: 'Only the composition roots (functions/, infra/local/, bin/) choose adapters; the core speaks to outside services through shared/ports.',
  },
  usecases: {
    group: ['**/usecases/**'],
    message: 'Use-cases sit above this layer: they call it, never the other way round.',
  },
  presentation: {
    group: ['**/presentation/**'],
    message: 'Presentation renders what the core decides; the core never depends on how it is shown.',
  },
  extraction: {
    group: ['**/extraction/**'],
    message: 'Extraction reads analysed documents; what it shares with others (the Textract response shape, small helpers) lives in shared/domain, so import it from there.',
  },
  functions: {
    group: ['**/functions/**'],
    message: 'shared/ is the core the Lambda handlers call; it never imports a handler (functions/).',
  },
  infra: {
    group: ['**/infra/**'],
    message: 'The CDK app and the local stack (infra/) wire the system together; nothing they wire imports them.',
  },
  sdks: {
    group: ['@aws-sdk/*', 'aws-cdk-lib', 'aws-cdk-lib/*', 'constructs', '@middy/*', '@aws-lambda-powertools/*'],
    message: 'Only adapters (AWS SDK) and the composition roots (CDK, middy, Powertools) import an SDK; this layer stays testable without one.',
  },
};

/** The `no-restricted-imports` rule for files of one layer, forbidding the named imports. */
function layer(files, forbidden) {
  return {
    files,
    rules: { 'no-restricted-imports': ['error', { patterns: forbidden.map((name) => FORBIDDEN[name]) }] },
  };
}

export default tseslint.config(
  { ignores: ['node_modules/', 'cdk.out/', '.local/', 'test-results/', 'coverage/', 'tests/fixtures/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      eqeqeq: ['error', 'always'],
      'no-console': 'off',
    },
  },
  // A later entry replaces an earlier one's options for the same file, so each layer lists every
  // restriction it has, the shared-wide ones (functions, infra) included.
  layer(['shared/**/*.ts'], ['functions', 'infra']),
  layer(['shared/domain/**/*.ts'], ['ports', 'adapters', 'usecases', 'presentation', 'extraction', 'functions', 'infra', 'sdks']),
  layer(['shared/extraction/**/*.ts'], ['ports', 'adapters', 'usecases', 'presentation', 'functions', 'infra', 'sdks']),
  layer(['shared/ports/**/*.ts'], ['adapters', 'usecases', 'presentation', 'extraction', 'functions', 'infra', 'sdks']),
  layer(['shared/usecases/**/*.ts'], ['adapters', 'functions', 'infra', 'sdks']),
  layer(['shared/presentation/**/*.ts'], ['adapters', 'functions', 'infra', 'sdks']),
  layer(['shared/adapters/**/*.ts'], ['usecases', 'presentation', 'extraction', 'functions', 'infra']),
  layer(['functions/**/*.ts'], ['infra']),
);
