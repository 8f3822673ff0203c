// Child process for the syscall helper tests: says whether the helper runs, mounts and unmounts an overlay through
// mountOverlay, and then simply ends (the helper must not keep it alive).
import path from 'node:path';
import { mountOverlay } from '../../../executor/index.js';
import { syscallHelper } from '../../../executor/runtime/syscalls.js';

const dir = process.argv[2];
const helper = await syscallHelper();
const mount = await mountOverlay({
  lowerDirs: [path.join(dir, 'lower')],
  upperDir: path.join(dir, 'upper'),
  workDir: path.join(dir, 'work'),
  target: path.join(dir, 'merged'),
  volatile: true,
});
await mount.unmount();
process.stdout.write(`helper ${helper === null ? 'none' : 'running'}, volatile ${mount.volatile}\n`);
