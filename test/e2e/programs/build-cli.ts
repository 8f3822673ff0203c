// Child process for the crash and concurrency tests: `tsbuild build` of argv[3] into store argv[2].
import { run } from '../../../cli/commands/build/run.js';

const [root, context, tag] = process.argv.slice(2);
const code = await run({
  context,
  tags: tag === undefined ? [] : [tag],
  buildArgs: [],
  labels: [],
  noCache: false,
  quiet: false,
  outputs: [],
  secrets: [],
  root,
});
process.exit(code);
