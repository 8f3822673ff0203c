// `tsbuild tag SOURCE TARGET`: points TARGET at the image SOURCE names (its index, for a multi-platform image).
import { InvalidReferenceError } from '../../../image/index.js';
import { topDigestOf } from '../images/catalog.js';
import { type CommandIo, guarded, openStore, processIo, type StoreOptions } from '../images/command-io.js';
import { checkTagName } from './tag-name.js';

export interface TagOptions extends StoreOptions {
  readonly source: string;
  readonly target: string;
}

export async function run(opts: TagOptions, io: CommandIo = processIo): Promise<number> {
  return guarded(io, async () => {
    try {
      checkTagName(opts.target);
    } catch (error) {
      if (!(error instanceof InvalidReferenceError)) throw error;
      io.stderr(`Error parsing reference: "${opts.target}" is not a valid repository/tag: ${error.message}\n`);
      return 1;
    }
    const store = await openStore(opts, io);
    const image = await store.resolve(opts.source);
    await store.tag(opts.target, topDigestOf(image));
    return 0;
  });
}
