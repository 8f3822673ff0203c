// `--push` and `--output type=registry[,name=…]` / `type=image[,name=…],push=true`: the built image pushed to
// each name (default: the build's `-t` tags) with image/registry's pushImage, the code of `tsbuild push`. As in
// BuildKit, `--push` is `--output type=image,push=true` and `type=registry` is `type=image,push=true`: the
// names are tagged in the store too (by the image exporter), then pushed.
import {
  type Descriptor,
  type Digest,
  familiarString,
  parseNormalizedNamed,
  pushImage,
  type RegistryClient,
  referenceString,
  type Store,
} from '../../image/index.js';
import { BuildError } from './errors.js';
import type { Progress } from './progress.js';

export interface RegistryPushSpec {
  /** `name=` values; empty: the build's tags. */
  readonly names: readonly string[];
}

export class PushOutputError extends Error {
  readonly code = 'E_OUTPUT';
}

/** The push an `--output` asks for, or null when it asks for none (the other exporters handle it). */
export function parsePushOutput(text: string): RegistryPushSpec | null {
  if (!text.includes('=')) return null;
  const fields = fieldsOf(text);
  const type = fields.get('type');
  const push = fields.get('push');
  if (push !== undefined && push !== '' && push !== 'true' && push !== 'false') {
    throw new PushOutputError(`invalid value ${push} for push (true or false)`);
  }
  const pushes = type === 'registry' || (type === 'image' && push === 'true');
  if (!pushes) return null;
  const name = fields.get('name') ?? '';
  return { names: name === '' ? [] : name.split(',').map((n) => n.trim()) };
}

/** `type=registry,…` is the image exporter with push=true: the store exporter reads it as `type=image`. */
export function asStoreOutput(text: string): string {
  if (!text.includes('=') || fieldsOf(text).get('type') !== 'registry') return text;
  return text.replace(/(^|,)\s*type\s*=\s*registry\s*(?=,|$)/, '$1type=image');
}

/** The names a push goes to; a push with none is BuildKit's error. */
export function pushNames(spec: RegistryPushSpec, tags: readonly string[]): string[] {
  const names = spec.names.length > 0 ? spec.names : tags;
  if (names.length === 0) throw new PushOutputError('tag is needed when pushing to registry');
  return names.map((name) => {
    const ref = parseNormalizedNamed(name);
    return referenceString(ref.tag === undefined && ref.digest === undefined ? { ...ref, tag: 'latest' } : ref);
  });
}

/** Pushes the stored manifest to each name; a failure is a build error (the user asked for the push). */
export async function pushBuiltImage(
  store: Store,
  client: RegistryClient,
  manifestDigest: Digest,
  names: readonly string[],
  progress: Progress,
): Promise<Descriptor | undefined> {
  let last: Descriptor | undefined;
  for (const name of names) {
    const ref = parseNormalizedNamed(name);
    const step = progress.step(`pushing ${familiarString(ref)}`);
    try {
      if (ref.tag === undefined) throw new Error(`${name}: push needs a tag, not a digest`);
      let layers = 0;
      const pushed = await pushImage(client, store, ref, {
        digest: manifestDigest,
        reference: ref.tag,
        onLayer: () => {
          layers++;
        },
      });
      step.note(`pushing layers (${layers}) done`);
      step.note(`pushing manifest for ${referenceString(ref)}@${pushed.digest} done`);
      step.done();
      last = pushed;
    } catch (error) {
      step.error((error as Error).message);
      throw new BuildError(`failed to push ${referenceString(ref)}: ${(error as Error).message}`);
    }
  }
  // Every name gets the same manifest (the compressed form of the image's): its descriptor, the registry's digest.
  return last;
}

/** Splits on commas outside double quotes (buildx reads `--output` as CSV: `"name=a,b"`). */
function fieldsOf(text: string): Map<string, string> {
  const fields = new Map<string, string>();
  let field = '';
  let quoted = false;
  const end = () => {
    const eq = field.indexOf('=');
    if (eq > 0) fields.set(field.slice(0, eq).trim(), field.slice(eq + 1).trim());
    field = '';
  };
  for (const ch of text) {
    if (ch === '"') quoted = !quoted;
    else if (ch === ',' && !quoted) end();
    else field += ch;
  }
  end();
  return fields;
}
