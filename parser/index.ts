// Public surface of the parser module (browser-safe: nothing from `node:`).
export type * from './ast.js';
export { dumpInstruction, toBuildKitDump } from './dump.js';
export { goQuote } from './go-quote.js';
export { chompHeredocContent } from './heredoc.js';
export { parse } from './parse.js';
export * from './shell/index.js';
