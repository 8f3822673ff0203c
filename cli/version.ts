// Kept in sync with package.json by test/cli/version.test.ts; a literal avoids reading package.json at start-up.
export const version = '0.1.0';
