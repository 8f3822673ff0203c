// Child process for the signal test: mounts an overlay, reports it, then waits to be killed.
import path from 'node:path';
import { mountOverlay } from '../../../executor/index.js';

const dir = process.argv[2];
const mount = await mountOverlay({
  lowerDirs: [path.join(dir, 'lower')],
  upperDir: path.join(dir, 'upper'),
  workDir: path.join(dir, 'work'),
  target: path.join(dir, 'merged'),
});
process.stdout.write(`mounted ${mount.target}\n`);
setInterval(() => {}, 1000);
