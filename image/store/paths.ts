import os from 'node:os';
import path from 'node:path';

/**
 * The store directory: `$TSBUILD_ROOT`, else `/var/lib/tsbuild` for root, else `$XDG_DATA_HOME/tsbuild`
 * (`~/.local/share/tsbuild` when XDG_DATA_HOME is unset or not absolute).
 */
export function defaultStoreRoot(
  env: NodeJS.ProcessEnv = process.env,
  uid: number = process.getuid?.() ?? -1,
  home: string = os.homedir(),
): string {
  const explicit = env['TSBUILD_ROOT'];
  if (explicit) return path.resolve(explicit);
  if (uid === 0) return '/var/lib/tsbuild';
  const xdg = env['XDG_DATA_HOME'];
  const dataHome = xdg && path.isAbsolute(xdg) ? xdg : path.join(home, '.local', 'share');
  return path.join(dataHome, 'tsbuild');
}

/** Fixed locations inside a store. */
export interface StorePaths {
  root: string;
  ociLayout: string;
  indexJson: string;
  blobs: string;
  snapshots: string;
  cache: string;
  locks: string;
  /** Records of a layer's other forms (see layer-variants.ts): `variants/<form>/<hex of the source digest>`. */
  variants: string;
  /** Layers kept only as their snapshot: `layer-recipes/<hex of the digest>.json` (layer-recipe.ts). */
  recipes: string;
}

export function storePaths(root: string): StorePaths {
  return {
    root,
    ociLayout: path.join(root, 'oci-layout'),
    indexJson: path.join(root, 'index.json'),
    blobs: path.join(root, 'blobs', 'sha256'),
    snapshots: path.join(root, 'snapshots'),
    cache: path.join(root, 'cache'),
    locks: path.join(root, 'locks'),
    variants: path.join(root, 'variants'),
    recipes: path.join(root, 'layer-recipes'),
  };
}
