// The layers of the bench's `small` scenario (bench/scenarios/small, its random blobs made reproducible) and of a
// RUN with mounts and an unchanged copy-up, with SOURCE_DATE_EPOCH: the digests tsbuild gave them before RUN
// layers were diffed beside the next step (executor/build/fs-step.ts). Where the differ runs must not change a
// byte of a layer.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../../image/index.js';
import { buildIn, freshDir, isolationUnavailable, removeFreshDirs, storeWithBusybox, writeContext } from './helpers.js';

const dockerfile = `FROM busybox
ENV APP_HOME=/app GREETING=hello
WORKDIR /app
COPY config/ /app/config/
RUN mkdir -p /app/data && for i in $(seq 1 100); do echo "file $i $GREETING" > /app/data/f$i.txt; done
RUN i=0; while [ $i -lt 20 ]; do yes "blob $i" | head -c 1048576 > /app/data/blob$i.bin; i=$((i+1)); done
RUN echo built > /app/BUILT && ls /app/data | wc -l > /app/COUNT
RUN --mount=type=cache,target=/app/cache/pip --mount=type=tmpfs,target=/scratch/t chmod 644 /app/BUILT && echo m > /app/m
COPY src/ /app/src/
CMD ["/bin/sh", "/app/src/main.sh"]
`;

describe.skipIf(isolationUnavailable() !== undefined)('RUN layer digests', () => {
  afterAll(removeFreshDirs);
  let store: Store;
  beforeAll(async () => {
    store = await storeWithBusybox();
  });

  it('are the ones tsbuild gave the small scenario before', async () => {
    const ctx = await freshDir('c');
    await writeContext(ctx, [
      { path: 'Dockerfile', content: dockerfile },
      { path: 'config/app.conf', content: 'name=small\nlevel=info\n' },
      { path: 'config/settings.json', content: '{"port": 8080, "workers": 2}\n' },
      { path: 'src/main.sh', content: '#!/bin/sh\necho "$GREETING from $(cat /app/BUILT)"\n' },
      { path: 'src/lib.sh', content: 'helper() { echo helper; }\n' },
    ]);
    const run = await buildIn(store, ctx, { noCache: true, buildArgs: { SOURCE_DATE_EPOCH: '1000' } });
    expect(run.error).toBeNull();
    const layers = run.result!.fs.layers.slice(1).map((layer) => layer.digest);
    expect(layers).toEqual([
      'sha256:97f66cd316143af7dc3a750c8c910877ea532653bbe35d44da8be03f380f8a28', // WORKDIR /app
      'sha256:20d9ad1696ed57199e5608f19859ff8ba08191c2d79b40835c79f36bdc924a78', // COPY config/
      'sha256:883ebc68e45a90b958cda7e2c9d87d9073fda71dd37f9a8fde637f2ffa6f54c7', // RUN: 100 small files
      'sha256:40dba6c450406ab66e7fb7db411f5b8ae8528bb4c01c0e8d20d664d276a33270', // RUN: 20 blobs of 1 MiB
      'sha256:057a5857f2c08c8e353cac3526c0032d18fe7b27a1ad36131778f4ad07ba8a7a', // RUN: BUILT, COUNT
      'sha256:ac7d692774ecd4d69a9cae4e96d399bbfd4b3399f8bafa5d8636220495fec634', // RUN --mount, a copy-up
      'sha256:1996df9ad4441ca3b91e91e5d67be5b97e60d437fca55cecd74b165d24cbfa4e', // COPY src/
    ]);
  });
});
