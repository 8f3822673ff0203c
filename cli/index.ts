// The CLI is an executable, not a library; this module exposes its argument parser for tests.
export { buildCli, type Runner } from './program.js';
