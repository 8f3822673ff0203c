import { it } from 'vitest';
import { buildLayer, OciMediaType, Store } from '../../image/index.js';
it('x', async () => {
  const store = await Store.open('/tmp/imgscratch/store');
  const l = await buildLayer([{ path: 'hello', type: 'file', mode: 0o644, uid: 0, gid: 0, mtime: 0, content: Buffer.from('hi\n') }, { path: 'bin', type: 'directory', mode: 0o755, uid: 0, gid: 0, mtime: 0 }]);
  await store.putBlob(l.blob, l.digest);
  const config = await store.putConfig({ architecture: 'amd64', os: 'linux', config: { Cmd: ['/hello'], Env: ['PATH=/bin'] }, rootfs: { type: 'layers', diff_ids: [l.diffId] }, history: [{ created: '2024-01-01T00:00:00Z', created_by: 'test' }] });
  const m = await store.putManifest({ schemaVersion: 2, mediaType: OciMediaType.manifest, config, layers: [{ mediaType: OciMediaType.layerGzip, digest: l.digest, size: l.size }] });
  await store.tag('x', m.digest);
  await store.tag('localhost:5000/a/b:v1', m.digest);
});
