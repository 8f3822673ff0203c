// The base image of a stage as an image reference, when it is one (not a stage, not scratch, fully resolved).
import { type ImageReference, parseImageReference } from '../../image-ref.js';
import { DEFAULT_PLATFORM, type LintModel, type Stage } from '../../model.js';
import { globalValue, platformArgValues } from '../../scope.js';
import { expandWord } from '../../words.js';

const cache = new WeakMap<Stage, ImageReference | null>();

export function imageOf(model: LintModel, stage: Stage): ImageReference | null {
  let reference = cache.get(stage);
  if (reference === undefined) {
    reference = resolveImage(model, stage);
    cache.set(stage, reference);
  }
  return reference;
}

function resolveImage(model: LintModel, stage: Stage): ImageReference | null {
  const image = stage.from.image;
  if (!image || stage.parent || stage.baseName === 'scratch') return null;
  const platform = platformArgValues(model.options.platform ?? DEFAULT_PLATFORM);
  const lookup = (name: string): string | undefined => globalValue(model, name) ?? platform.get(name);
  const expansion = expandWord(image.value, lookup, model.ast.escapeChar);
  // A name built from a variable without a value is not judged: the build will supply it.
  if (expansion.references.some((r) => !r.defined)) return null;
  if (model.stages.some((s) => s.name !== null && s.name === stage.baseName.toLowerCase())) return null;
  return parseImageReference(stage.baseName);
}
