// What `RUN --security=insecure` changes in a step's runtime spec, once the build grants the security.insecure
// entitlement (`--allow security.insecure`). BuildKit runs such a step "without sandbox", as `docker run
// --privileged` runs a container (its entitlements/security package): every capability, no seccomp filter, no
// masked or read-only paths, /sys and the cgroup filesystem writable, the device cgroup open to every device, and
// the devices such steps are for (FUSE, KVM, TUN/TAP, loop devices, the kernel log) created in the step's /dev.
import { lstatSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { OciDevice, OciDeviceRule } from './oci-spec.js';

/** Every capability up to CAP_CHECKPOINT_RESTORE, each at the index of its number. */
export const allCapabilities: readonly string[] = [
  'CAP_CHOWN',
  'CAP_DAC_OVERRIDE',
  'CAP_DAC_READ_SEARCH',
  'CAP_FOWNER',
  'CAP_FSETID',
  'CAP_KILL',
  'CAP_SETGID',
  'CAP_SETUID',
  'CAP_SETPCAP',
  'CAP_LINUX_IMMUTABLE',
  'CAP_NET_BIND_SERVICE',
  'CAP_NET_BROADCAST',
  'CAP_NET_ADMIN',
  'CAP_NET_RAW',
  'CAP_IPC_LOCK',
  'CAP_IPC_OWNER',
  'CAP_SYS_MODULE',
  'CAP_SYS_RAWIO',
  'CAP_SYS_CHROOT',
  'CAP_SYS_PTRACE',
  'CAP_SYS_PACCT',
  'CAP_SYS_ADMIN',
  'CAP_SYS_BOOT',
  'CAP_SYS_NICE',
  'CAP_SYS_RESOURCE',
  'CAP_SYS_TIME',
  'CAP_SYS_TTY_CONFIG',
  'CAP_MKNOD',
  'CAP_LEASE',
  'CAP_AUDIT_WRITE',
  'CAP_AUDIT_CONTROL',
  'CAP_SETFCAP',
  'CAP_MAC_OVERRIDE',
  'CAP_MAC_ADMIN',
  'CAP_SYSLOG',
  'CAP_WAKE_ALARM',
  'CAP_BLOCK_SUSPEND',
  'CAP_AUDIT_READ',
  'CAP_PERFMON',
  'CAP_BPF',
  'CAP_CHECKPOINT_RESTORE',
];

/**
 * The capabilities of a privileged step: every one `docker run --privileged` grants that tsbuild itself holds.
 * `boundingSet` is the CapBnd mask of /proc/self/status: a runtime cannot give a container a capability outside its
 * own bounding set (runc fails with "unable to apply caps"); some VMs start init without CAP_SYS_RESOURCE.
 */
export function privilegedCapabilities(boundingSet: bigint): string[] {
  return allCapabilities.filter((_, bit) => (boundingSet >> BigInt(bit)) & 1n);
}

/** The bounding set of this process (CapBnd of /proc/self/status). */
export function ownBoundingSet(status = readFileSync('/proc/self/status', 'latin1')): bigint {
  const hex = /^CapBnd:\s*([0-9a-f]+)$/m.exec(status)?.[1];
  if (hex === undefined) throw new Error('/proc/self/status has no CapBnd line');
  return BigInt(`0x${hex}`);
}

/** The device cgroup of a privileged step: every character and block device, read, write and mknod. */
export const privilegedDeviceRules: readonly OciDeviceRule[] = [
  { allow: true, type: 'c', access: 'rwm' },
  { allow: true, type: 'b', access: 'rwm' },
];

/** The step's own /dev is a tmpfs: the runtime creates these nodes in it (their numbers are fixed by the kernel). */
const privilegedCharDevices: readonly OciDevice[] = [
  { path: '/dev/kmsg', type: 'c', major: 1, minor: 11, fileMode: 0o644, uid: 0, gid: 0 },
  { path: '/dev/cuse', type: 'c', major: 10, minor: 203, fileMode: 0o600, uid: 0, gid: 0 },
  { path: '/dev/fuse', type: 'c', major: 10, minor: 229, fileMode: 0o666, uid: 0, gid: 0 },
  { path: '/dev/kvm', type: 'c', major: 10, minor: 232, fileMode: 0o660, uid: 0, gid: 0 },
  { path: '/dev/net/tun', type: 'c', major: 10, minor: 200, fileMode: 0o666, uid: 0, gid: 0 },
  { path: '/dev/loop-control', type: 'c', major: 10, minor: 237, fileMode: 0o660, uid: 0, gid: 0 },
];

/**
 * The device nodes of a privileged step: the fixed ones above and `/dev/loop0` … `/dev/loop<loopDevices - 1>`.
 * BuildKit creates the loop devices up to the first free one plus seven, so that `losetup -f` finds a node for
 * the device the kernel hands out. Loop device N has minor N << `partShift` (the loop driver leaves room for
 * partitions when loaded with max_part; BuildKit assumes none).
 */
export function privilegedDevices(loopDevices: number, partShift = 0): OciDevice[] {
  const loops = Array.from(
    { length: loopDevices },
    (_, i): OciDevice => ({
      path: `/dev/loop${i}`,
      type: 'b',
      major: 7,
      minor: i * 2 ** partShift,
      fileMode: 0o660,
      uid: 0,
      gid: 0,
    }),
  );
  return [...privilegedCharDevices, ...loops];
}

/** The loop driver's minor shift: the bit length of its max_part parameter (0 when unset or unreadable). */
export function loopPartShift(maxPartFile = '/sys/module/loop/parameters/max_part'): number {
  let maxPart = 0;
  try {
    maxPart = Number.parseInt(readFileSync(maxPartFile, 'latin1'), 10);
  } catch {
    return 0;
  }
  return Number.isInteger(maxPart) && maxPart > 0 ? maxPart.toString(2).length : 0;
}

/**
 * How many loop devices a privileged step gets: the host's (`/dev/loopN`, N counted from 0) and eight more. Node
 * cannot ask /dev/loop-control for the first free one as BuildKit does; the host's count is at least that.
 */
export function privilegedLoopDevices(devDir = '/dev'): number {
  let highest = -1;
  let names: string[];
  try {
    names = readdirSync(devDir);
  } catch {
    names = [];
  }
  for (const name of names) {
    const match = /^loop(\d+)$/.exec(name);
    if (match) highest = Math.max(highest, Number(match[1]));
  }
  return highest + 1 + 8;
}

/** Directories of /dev whose nodes are never copied: the container has its own (runc's device walk skips them too). */
const ownDevDirs = new Set(['pts', 'shm', 'fd', 'mqueue', '.lxc', '.lxd-mounts', '.udev']);

/**
 * Every character and block device node under `devDir` (/dev), as `docker run --privileged` copies them into the
 * container's /dev: found recursively without following symlinks, at the same path, with the host node's numbers,
 * permission bits and owner; /dev/console (the runtime makes the container's) and the directories the container has
 * its own of are left out. A node that vanishes during the walk is skipped.
 */
export function hostDevices(devDir = '/dev', containerDir = '/dev'): OciDevice[] {
  let names: string[];
  try {
    names = readdirSync(devDir);
  } catch {
    return [];
  }
  const devices: OciDevice[] = [];
  for (const name of names.sort()) {
    const hostPath = path.join(devDir, name);
    const containerPath = path.posix.join(containerDir, name);
    let st: ReturnType<typeof lstatSync>;
    try {
      st = lstatSync(hostPath, { bigint: true });
    } catch {
      continue;
    }
    if (st.isDirectory()) {
      if (!ownDevDirs.has(name)) devices.push(...hostDevices(hostPath, containerPath));
      continue;
    }
    if (name === 'console' || !(st.isCharacterDevice() || st.isBlockDevice())) continue;
    devices.push({
      path: containerPath,
      type: st.isCharacterDevice() ? 'c' : 'b',
      ...deviceNumbers(st.rdev),
      fileMode: Number(st.mode & 0o7777n),
      uid: Number(st.uid),
      gid: Number(st.gid),
    });
  }
  return devices;
}

/** glibc's major() and minor() of a dev_t. */
export function deviceNumbers(rdev: bigint): { major: number; minor: number } {
  return {
    major: Number(((rdev >> 8n) & 0xfffn) | ((rdev >> 32n) & 0xfffff000n)),
    minor: Number((rdev & 0xffn) | ((rdev >> 12n) & 0xffffff00n)),
  };
}

/** What a privileged container gets on this host: the capabilities tsbuild holds, loop devices beyond the host's. */
export function hostPrivileges(): { capabilities: string[]; loopDevices: number; loopPartShift: number } {
  return {
    capabilities: privilegedCapabilities(ownBoundingSet()),
    loopDevices: privilegedLoopDevices(),
    loopPartShift: loopPartShift(),
  };
}
