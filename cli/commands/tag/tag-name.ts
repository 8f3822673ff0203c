// What may name an image: a reference Docker would accept as a tag (lowercase repository, optional tag, no
// digest). `tsbuild tag` and `tsbuild build -t` check names with it before they touch the store.
import { InvalidReferenceError, parseNormalizedNamed } from '../../../image/index.js';

/** Throws InvalidReferenceError (Docker's message) when `name` cannot be a tag. */
export function checkTagName(name: string): void {
  if (parseNormalizedNamed(name).digest !== undefined) {
    throw new InvalidReferenceError('refusing to create a tag with a digest reference');
  }
}
