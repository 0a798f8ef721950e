/**
 * Four projects: `unit` (pure logic, no I/O beyond temp files), `integration` (the real Neo4j
 * started by scripts/test.sh), `e2e` (HTTP/GraphQL and the CLI against the same Neo4j), `browser`
 * (headless Chromium against the service on the same Neo4j; skipped, saying so, without Chromium).
 * Integration and e2e suites read NEO4J_URI/NEO4J_USER/NEO4J_PASSWORD from the environment.
 */
const tsJest = ['ts-jest', { tsconfig: 'tsconfig.json', isolatedModules: true }];
const common = {
  testEnvironment: '<rootDir>/test/helpers/sharedTypedArrays.environment.js',
  transform: { '^.+\\.ts$': tsJest },
  moduleFileExtensions: ['ts', 'js', 'json'],
  setupFiles: ['reflect-metadata'],
};
module.exports = {
  // Worker threads, model sessions and the CLI's own Neo4j connection take seconds on a loaded
  // 2-core machine; jest's 5 s default is for pure functions. (A global option: projects cannot set it.)
  testTimeout: 60_000,
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/test/unit/**/*.test.ts'] },
    { ...common, displayName: 'integration', testMatch: ['<rootDir>/test/integration/**/*.test.ts'] },
    { ...common, displayName: 'e2e', testMatch: ['<rootDir>/test/e2e/**/*.test.ts'] },
    { ...common, displayName: 'browser', testMatch: ['<rootDir>/test/browser/**/*.test.ts'] },
  ],
};
