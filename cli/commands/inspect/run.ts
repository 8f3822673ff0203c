// `tsbuild inspect [-f FORMAT] IMAGE…`: a JSON array of Docker-shaped image objects, or with `-f` a Go template
// applied to each object, one line each (docker's TemplateInspector). As `docker inspect` does, it prints what it
// found and exits 1 with one line per failure (`Error: No such image: …`, `template parsing error: …`); a template
// that does not parse exits 64 before anything is read.
import { Annotation } from '../../../image/index.js';
import {
  parseTemplate,
  type Template,
  TemplateExecError,
  TemplateParseError,
  type Value,
} from '../../template/index.js';
import { imageSize, type LayerSizes, readIndexEntries, topDigestOf } from '../images/catalog.js';
import { type CommandIo, errorText, openStore, processIo, type StoreOptions } from '../images/command-io.js';
import { type ImageInspect, inspectImage } from './inspect-json.js';
import { typedInspect } from './typed.js';

export interface InspectOptions extends StoreOptions {
  readonly images: readonly string[];
  /** `-f/--format`: a Go template, `json` (one compact line), or empty for the indented array. */
  readonly format?: string;
}

/**
 * One object through the template: Go's struct first; when that fails, the object's JSON decoded into maps with
 * `missingkey=error` (docker's tryRawInspectFallback), whose error is the one reported.
 */
function applyTemplate(template: Template, image: ImageInspect): string {
  try {
    return template.execute(typedInspect(image));
  } catch (error) {
    if (!(error instanceof TemplateExecError)) throw error;
    return template.execute(JSON.parse(JSON.stringify(image)) as Value, { missingKeyError: true });
  }
}

export async function run(opts: InspectOptions, io: CommandIo = processIo): Promise<number> {
  const format = opts.format ?? '';
  let template: Template | undefined;
  if (format !== '' && format !== 'json') {
    try {
      template = parseTemplate(format);
    } catch (error) {
      if (!(error instanceof TemplateParseError)) throw error;
      io.stderr(`template parsing error: ${error.message}\n`);
      return 64;
    }
  }
  const found: ImageInspect[] = [];
  const errors: string[] = [];
  let lines = '';
  try {
    const store = await openStore(opts, io);
    const entries = await readIndexEntries(store);
    const layerSizes: LayerSizes = new Map();
    for (const name of opts.images) {
      try {
        const image = await store.resolve(name);
        const top = topDigestOf(image);
        const refs = entries.flatMap((entry) => {
          const ref = entry.annotations?.[Annotation.refName];
          return entry.digest === top && ref !== undefined ? [ref] : [];
        });
        const object = inspectImage(image, refs, await imageSize(store, image, layerSizes));
        if (template === undefined) found.push(object);
        else {
          try {
            lines += `${applyTemplate(template, object)}\n`;
          } catch (error) {
            if (!(error instanceof TemplateExecError)) throw error;
            errors.push(`template parsing error: ${error.message}`);
          }
        }
      } catch (error) {
        errors.push(`Error: ${errorText(error)}`);
      }
    }
  } catch (error) {
    errors.push(`Error: ${errorText(error)}`);
  }
  if (template !== undefined) io.stdout(lines === '' ? '\n' : lines);
  else if (format === 'json') io.stdout(`${JSON.stringify(found)}\n`);
  else io.stdout(`${JSON.stringify(found, null, 4)}\n`);
  for (const message of errors) io.stderr(`${message}\n`);
  return errors.length > 0 ? 1 : 0;
}
