// The `RUN --mount=…` vocabulary of BuildKit's parseMount: the mount types, the cache sharing modes and
// the option keys it offers as suggestions for an unknown key (in BuildKit's order, which decides ties).

export const MOUNT_TYPES = ['bind', 'cache', 'tmpfs', 'secret', 'ssh'] as const;
export type MountType = (typeof MOUNT_TYPES)[number];

export function isMountType(value: string): value is MountType {
  return (MOUNT_TYPES as readonly string[]).includes(value);
}

export const MOUNT_SHARING_MODES: readonly string[] = ['shared', 'private', 'locked'];

export const MOUNT_OPTION_KEYS: readonly string[] = [
  'type',
  'from',
  'source',
  'target',
  'readonly',
  'id',
  'sharing',
  'required',
  'mode',
  'uid',
  'gid',
  'src',
  'dst',
  'ro',
  'rw',
  'readwrite',
];
