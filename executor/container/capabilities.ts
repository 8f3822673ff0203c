// `tsbuild run --cap-add` / `--cap-drop`, as docker combines them with its default set (moby's TweakCapabilities):
// names in any case, with or without `CAP_`; `ALL` added gives every capability but those dropped, `ALL` dropped
// gives only those added, else the defaults less the dropped plus the added. A name no kernel knows is refused.
import { allCapabilities } from '../runtime/privileged.js';
import { defaultCapabilities } from '../runtime/spec.js';
import { ContainerError } from './errors.js';

function normalized(names: readonly string[]): string[] {
  return names.map((name) => {
    const upper = name.toUpperCase();
    if (upper === 'ALL') return upper;
    const full = upper.startsWith('CAP_') ? upper : `CAP_${upper}`;
    if (!allCapabilities.includes(full)) throw new ContainerError(`unknown capability: ${JSON.stringify(name)}`, 125);
    return full;
  });
}

/**
 * The container's capabilities for `adds` and `drops`; `available` is every capability tsbuild may give (its own
 * bounding set). Undefined when both are empty: Docker's defaults.
 */
export function tweakCapabilities(
  adds: readonly string[],
  drops: readonly string[],
  available: readonly string[],
): string[] | undefined {
  if (adds.length === 0 && drops.length === 0) return undefined;
  const add = normalized(adds);
  const drop = normalized(drops);
  const unavailable = add.find((name) => name !== 'ALL' && !available.includes(name));
  if (unavailable !== undefined) {
    throw new ContainerError(`capability ${unavailable} is not in tsbuild's own bounding set: it cannot be given`, 125);
  }
  if (add.includes('ALL')) return available.filter((name) => !drop.includes(name));
  if (drop.includes('ALL')) return [...new Set(add)];
  return [...new Set([...defaultCapabilities.filter((name) => !drop.includes(name)), ...add])];
}
