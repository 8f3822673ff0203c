// `--annotation [TYPE[,TYPE…]][PLATFORM]:]KEY=VALUE`, as docker build and buildx take it (buildx's parser): the
// default type puts the annotation on the image manifest, as `manifest` does; `manifest[linux/arm64]:` only on the
// manifest of that platform; `index:` on the image index of a build of several platforms. docker/metadata-action
// hands its OCI annotations to CI builds in this form. A build fails when it does not produce the component named
// (docker's own rule): a single-platform build writes no index, and tsbuild writes no descriptor annotations, so
// `manifest-descriptor` and `index-descriptor` are refused.
import type { Digest, ImageManifest, Platform, Store } from '../../image/index.js';
import { formatPlatform, normalizePlatform, parsePlatform } from '../../image/index.js';
import { BuildError } from './errors.js';

export interface Annotation {
  /** Where it goes: the image manifest(s), or the image index of a build of several platforms. */
  readonly on: 'manifest' | 'index';
  /** The `--annotation` value it came from. */
  readonly source: string;
  readonly key: string;
  readonly value: string;
  /** The manifest of this platform only; every manifest when undefined. */
  readonly platform?: Platform;
}

const typeAndPlatform = /^([a-z-]*)(?:\[([A-Za-z0-9_/-]+)\])?$/;
const known = new Set(['', 'manifest', 'index', 'manifest-descriptor', 'index-descriptor']);

/** The annotations the values ask for; throws a BuildError naming the value that cannot be used. */
export function parseAnnotations(values: readonly string[]): Annotation[] {
  const out: Annotation[] = [];
  for (const text of values) {
    const equals = text.indexOf('=');
    if (equals < 0) throw new BuildError(`invalid annotation "${text}", expected key=value`);
    const [name, value] = [text.slice(0, equals), text.slice(equals + 1)];
    const colon = name.indexOf(':');
    const key = colon < 0 ? name : name.slice(colon + 1);
    if (key === '' || /\s/.test(key)) throw new BuildError(`invalid annotation "${text}", expected key=value`);
    for (const part of colon < 0 ? [''] : name.slice(0, colon).split(',')) {
      const match = typeAndPlatform.exec(part);
      if (match === null) {
        throw new BuildError(
          `invalid annotation type "${part}", expected type and optional platform in square brackets`,
        );
      }
      const [, type = '', platformText] = match;
      if (!known.has(type)) throw new BuildError(`unknown annotation type "${type}"`);
      if (type === 'manifest-descriptor' || type === 'index-descriptor') {
        throw new BuildError(`annotation "${text}": tsbuild writes no ${type} annotations`);
      }
      const on = type === 'index' ? 'index' : 'manifest';
      const platform = platformText === undefined ? {} : { platform: platformOf(platformText, text) };
      out.push({ on, source: text, key, value, ...platform });
    }
  }
  return out;
}

function platformOf(text: string, annotation: string): Platform {
  try {
    return parsePlatform(text);
  } catch (error) {
    throw new BuildError(`annotation "${annotation}": ${(error as Error).message}`);
  }
}

/** The annotations for the manifest of `platform` (a later value for a key wins, as in a map). */
export function manifestAnnotations(annotations: readonly Annotation[], platform: Platform): Record<string, string> {
  const wanted = formatPlatform(normalizePlatform(platform));
  const out: Record<string, string> = {};
  for (const a of annotations) {
    if (a.on === 'manifest' && (a.platform === undefined || formatPlatform(a.platform) === wanted))
      out[a.key] = a.value;
  }
  return out;
}

/** The annotations for the image index of a build of several platforms. */
export function indexAnnotations(annotations: readonly Annotation[]): Record<string, string> {
  return Object.fromEntries(annotations.filter((a) => a.on === 'index').map((a) => [a.key, a.value]));
}

/** Throws for an `index:` annotation of a build that writes no index (one platform). */
export function refuseIndexAnnotations(annotations: readonly Annotation[]): void {
  const index = annotations.find((a) => a.on === 'index');
  if (index === undefined) return;
  throw new BuildError(`annotation "${index.source}": a single-platform build writes no image index`);
}

/** The image's manifest with `annotations` added (over any of the same key), stored beside the original. */
export async function annotateManifest(
  store: Store,
  manifestDigest: Digest,
  annotations: Readonly<Record<string, string>>,
): Promise<Digest> {
  const manifest = await store.readJson<ImageManifest>(manifestDigest);
  const written = await store.putManifest({ ...manifest, annotations: { ...manifest.annotations, ...annotations } });
  return written.digest;
}
