// `--annotation` values as buildx reads them: which land on the image manifest, for which platform, and the words
// of the refusals (a component tsbuild does not write, a malformed value).
import { describe, expect, it } from 'vitest';
import {
  indexAnnotations,
  manifestAnnotations,
  parseAnnotations,
  refuseIndexAnnotations,
} from '../../executor/build/annotations.js';

const amd64 = { os: 'linux', architecture: 'amd64' };

describe('--annotation', () => {
  it('puts unprefixed and manifest: annotations on the manifest; a platform one only on its platform', () => {
    const parsed = parseAnnotations([
      'org.opencontainers.image.title=Demo',
      'manifest:org.opencontainers.image.description=a=b, c',
      'manifest[linux/amd64]:only.amd64=1',
      'manifest[linux/arm64/v8]:only.arm64=1',
      'title.again=x',
      'title.again=y',
    ]);
    expect(manifestAnnotations(parsed, amd64)).toEqual({
      'org.opencontainers.image.title': 'Demo',
      'org.opencontainers.image.description': 'a=b, c',
      'only.amd64': '1',
      'title.again': 'y',
    });
    expect(manifestAnnotations(parsed, { os: 'linux', architecture: 'arm64' })).toEqual({
      'org.opencontainers.image.title': 'Demo',
      'org.opencontainers.image.description': 'a=b, c',
      'only.arm64': '1',
      'title.again': 'y',
    });
    expect(manifestAnnotations(parseAnnotations(['empty.value=']), amd64)).toEqual({ 'empty.value': '' });
  });

  it('refuses what it cannot write or read, with buildx’s words', () => {
    const refusal = (value: string) => () => parseAnnotations([value]);
    expect(refusal('novalue')).toThrow('invalid annotation "novalue", expected key=value');
    expect(refusal('manifest:=v')).toThrow('invalid annotation "manifest:=v", expected key=value');
    expect(refusal('layer:k=v')).toThrow('unknown annotation type "layer"');
    expect(refusal('Manifest:k=v')).toThrow(
      'invalid annotation type "Manifest", expected type and optional platform in square brackets',
    );
    expect(refusal('manifest[linux/x y]:k=v')).toThrow(
      'invalid annotation type "manifest[linux/x y]", expected type and optional platform in square brackets',
    );
    for (const type of ['manifest-descriptor', 'index-descriptor']) {
      expect(refusal(`manifest,${type}:k=v`)).toThrow(
        `annotation "manifest,${type}:k=v": tsbuild writes no ${type} annotations`,
      );
    }
    expect(refusal('manifest[nope/nope/nope/nope]:k=v')).toThrow(
      'annotation "manifest[nope/nope/nope/nope]:k=v": invalid platform "nope/nope/nope/nope"',
    );
  });

  it('keeps index: annotations for the index of a build of several platforms; a single-platform build refuses them', () => {
    const parsed = parseAnnotations(['index,manifest:both=1', 'index:only.index=2', 'only.manifest=3']);
    expect(indexAnnotations(parsed)).toEqual({ both: '1', 'only.index': '2' });
    expect(manifestAnnotations(parsed, amd64)).toEqual({ both: '1', 'only.manifest': '3' });
    expect(() => refuseIndexAnnotations(parsed)).toThrow(
      'annotation "index,manifest:both=1": a single-platform build writes no image index',
    );
    expect(() => refuseIndexAnnotations(parseAnnotations(['manifest:k=v']))).not.toThrow();
  });
});
