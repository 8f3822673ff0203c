// `imageChecks` with `target: layer`: a file inside one layer of the exported image (its blob as the
// OCI layout holds it), e.g. what a RUN wrote, compared byte for byte.
import { createReadStream } from 'node:fs';
import path from 'node:path';
import { cleanLayerPath, type Digest, decompressedStream, digestHex, readTar } from '../../../image/index.js';
import type { ImageCheck } from './cases.js';

interface Manifest {
  readonly layers?: readonly { readonly digest: string }[];
}

export async function checkLayer(layoutDir: string | null, manifest: unknown, check: ImageCheck): Promise<string[]> {
  if (layoutDir === null) return ['layer checks need the oci exporter'];
  const layers = (manifest as Manifest).layers ?? [];
  const index = check.layer === '@last' ? layers.length - 1 : Number(check.layer);
  const layer = layers[index];
  if (layer === undefined) return [`layer ${String(check.layer)} does not exist (${layers.length} layers)`];
  const blob = path.join(layoutDir, 'blobs/sha256', digestHex(layer.digest as Digest));
  const wanted = cleanLayerPath(check.file ?? '');
  for await (const entry of readTar(await decompressedStream(createReadStream(blob)))) {
    const chunks: Buffer[] = [];
    for await (const chunk of entry.body()) chunks.push(chunk);
    if (cleanLayerPath(entry.header.path) !== wanted) continue;
    const content = Buffer.concat(chunks).toString('utf8');
    if (check.content !== undefined && content !== check.content)
      return [
        `layer ${String(check.layer)} file ${wanted} = ${JSON.stringify(content)}, expected ${JSON.stringify(check.content)}`,
      ];
    return [];
  }
  return [`layer ${String(check.layer)} has no file ${wanted}`];
}
