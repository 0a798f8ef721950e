/**
 * `dataset export` over a store of N synthetic images (bench/storeData.ts: ~20 objects each, the
 * engine's relations and layers): export time, records per second and the process's peak memory for
 * a few page sizes, to show that memory follows the page size and not the store.
 *
 *   npm run build && NEO4J_URI=bolt://127.0.0.1:7687 NEO4J_PASSWORD=... \
 *     node --expose-gc dist/bench/datasetExport.bench.js [--images 2000] [--pages 10,100,1000]
 *
 * Writes under the URI prefix `bench://dataset/` and deletes it afterwards.
 */

import { Writable } from 'node:stream';
import { Database } from '../src/db/database';
import { migrate } from '../src/db/migrations';
import { exportDataset } from '../src/dataset/exportDataset';
import { recordSink } from '../src/dataset/recordSink';
import { storeScenes } from '../src/pipeline/store';
import { builtScene } from './storeData';

const PREFIX = 'bench://dataset/';

function arg(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? Number(process.argv[at + 1]) : fallback;
}

async function main(): Promise<void> {
  const images = arg('images', 2000);
  const pageSizes = (
    process.argv.includes('--pages') ? process.argv[process.argv.indexOf('--pages') + 1] : '10,100,1000'
  )
    .split(',')
    .map(Number);
  const db = Database.connect({
    uri: process.env.NEO4J_URI ?? 'bolt://127.0.0.1:7687',
    user: process.env.NEO4J_USER ?? 'neo4j',
    password: process.env.NEO4J_PASSWORD ?? '',
    database: process.env.NEO4J_DATABASE ?? 'neo4j',
  });
  try {
    await migrate(db);
    const t0 = performance.now();
    for (let start = 0; start < images; start += 200) {
      const batch = [];
      for (let i = start; i < Math.min(images, start + 200); i++) {
        const scene = builtScene(i, 7);
        batch.push({ ...scene, image: { ...scene.image, uri: `${PREFIX}${i}.jpg` } });
      }
      await storeScenes(db, batch);
    }
    console.log(`stored ${images} images in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

    for (const pageSize of pageSizes) {
      global.gc?.();
      const baseline = process.memoryUsage().rss;
      let peakRss = baseline;
      let peakHeap = 0;
      let bytes = 0;
      const sink = new Writable({
        write(chunk: Buffer, _enc, done) {
          bytes += chunk.length;
          done();
        },
      });
      const records = recordSink(sink, 'llava-jsonl');
      const start = performance.now();
      const result = await exportDataset(db, records, {
        filter: { labels: [], predicates: [], uriPrefix: PREFIX },
        seed: 1,
        kinds: ['desc', 'qa', 'conv'],
        grounded: true,
        maxQa: 12,
        qaFormat: 'open',
        pageSize,
        onPage: () => {
          // Live memory after each page (garbage collected first when run with --expose-gc).
          global.gc?.();
          const m = process.memoryUsage();
          peakRss = Math.max(peakRss, m.rss);
          peakHeap = Math.max(peakHeap, m.heapUsed);
        },
      });
      const secs = (performance.now() - start) / 1000;
      console.log(
        `page size ${pageSize}: ${result.images} images, ${result.records} records, ${(bytes / 2 ** 20).toFixed(1)} MiB ` +
          `in ${secs.toFixed(1)} s (${(result.images / secs).toFixed(0)} images/s, ${(result.records / secs).toFixed(0)} records/s); ` +
          `peak live heap ${(peakHeap / 2 ** 20).toFixed(0)} MiB, peak RSS ${(peakRss / 2 ** 20).toFixed(0)} MiB (+${((peakRss - baseline) / 2 ** 20).toFixed(0)})`,
      );
    }
  } finally {
    for (;;) {
      const r = await db.write('bench.cleanup', (tx) =>
        tx.run<{ n: number }>(
          'MATCH (i:Image) WHERE i.uri STARTS WITH $p WITH i LIMIT 200 OPTIONAL MATCH (i)-->(n) DETACH DELETE n, i RETURN count(DISTINCT i) AS n',
          { p: PREFIX },
        ),
      );
      if (r.records[0].get('n') === 0) break;
    }
    await db.close();
  }
}

void main();
