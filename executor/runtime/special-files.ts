// Device nodes, FIFOs and extended attributes of unpacked layers, made by the syscall helper (syscalls.ts): one
// request each instead of one `mknod`, `mkfifo` or `setfattr` process each, which made an image with thousands
// of attributes (file capabilities, SELinux labels) take a process start per file. Where the helper cannot run,
// the commands, started by the launcher.
import { commandSpecialFiles, type SpecialFiles } from '../../image/index.js';
import { launchChecked } from './launcher.js';
import { type Syscalls, syscallHelper } from './syscalls.js';

const typeBits = { char: 0o020000, block: 0o060000, fifo: 0o010000 } as const;

/** SpecialFiles through the syscall helper, or `fallback` (the commands) where it cannot run. */
export function helperSpecialFiles(
  helper: () => Promise<Syscalls | null> = syscallHelper,
  fallback: SpecialFiles = commandSpecialFiles(launchChecked),
): SpecialFiles {
  return {
    async makeNode(target, type, major, minor) {
      const calls = await helper();
      // Made private; the caller sets the entry's own mode, owner and times next.
      if (calls !== null) await calls.makeNode(target, typeBits[type] | 0o600, major, minor);
      else await fallback.makeNode(target, type, major, minor);
    },
    async setXattr(target, name, value) {
      const calls = await helper();
      if (calls !== null) await calls.setXattr(target, name, value);
      else await fallback.setXattr(target, name, value);
    },
  };
}
