/**
 * Every GraphQL operation in README.md, run in order against the demo's data (scripts/demo.sh: the
 * 24 synthetic scenes of seed 1, ingested by the built CLI) and answering something: no errors, no
 * null root field, no empty connection or list.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { RunningService } from '../../src/server/service';
import {
  DEMO_SAMPLES,
  ingestDemoScenes,
  readmeOperations,
  removeDemoScenes,
  ROOT,
} from '../helpers/demoData';
import { streetScene } from '../helpers/scenes';
import { testDatabase } from '../helpers/testDatabase';
import { gql, startTestService } from '../helpers/testService';

type Data = Record<string, unknown>;

describe('README GraphQL examples on the demo data', () => {
  const db = testDatabase();
  const made: string[] = [];
  let service: RunningService;
  let imageId: string;
  let objectId: string;
  const answers = new Map<string, Data>();

  beforeAll(async () => {
    ingestDemoScenes();
    service = await startTestService({ INGEST_ROOTS: path.join(ROOT, 'samples') });
    const r = await gql(service, `{ images(first: 100) { edges { node { id uri objects { id } } } } }`);
    const demo = (
      r.body.data!.images as { edges: { node: { id: string; uri: string; objects: { id: string }[] } }[] }
    ).edges
      .map((e) => e.node)
      .filter((n) => n.uri.startsWith(DEMO_SAMPLES));
    expect(demo.length).toBe(24);
    imageId = demo[0].id;
    objectId = demo[0].objects[0].id;
  }, 300_000);

  afterAll(async () => {
    await removeDemoScenes(db);
    for (const id of made) {
      await db.write('test.cleanup', (tx) =>
        tx.run('MATCH (i:Image {id: $id}) OPTIONAL MATCH (i)-->(n) DETACH DELETE n, i', { id }),
      );
    }
    await db.close();
    await service?.stop();
  });

  const photo = (name: string) => path.join(ROOT, 'samples/photos', name);
  const variables: Record<string, () => Record<string, unknown>> = {
    Rederived: () => ({ id: imageId }),
    Lookup: () => ({ objectId }),
    Ingest: () => ({ g: streetScene(`readme-${process.pid}`) }),
    IngestPhoto: () => ({ path: photo('coffee.jpg') }),
    IngestUpload: () => ({ b64: readFileSync(photo('chelsea.jpg')).toString('base64') }),
    Delete: () => ({ id: ((answers.get('IngestPhoto')!.ingestImage as Data).image as Data).id }),
  };

  function nonEmpty(value: unknown): boolean {
    if (value === null || value === undefined) return false;
    if (Array.isArray(value)) return value.length > 0;
    if (typeof value === 'object' && 'edges' in value) return nonEmpty((value as { edges: unknown }).edges);
    return true;
  }

  const operations = readmeOperations();

  it('has the operations the README shows', () => {
    expect(operations.map((o) => o.name)).toEqual(
      expect.arrayContaining(['FrontOfBox', 'OneBall', 'AnyBalls', 'Latest', 'Lookup', 'Ingest', 'Delete']),
    );
  });

  it.each(operations.map((o) => [o.name, o] as const))('%s answers', async (name, op) => {
    const r = await gql(service, op.text, variables[name]?.());
    expect(r.body.errors).toBeUndefined();
    const data = r.body.data as Data;
    answers.set(name, data);
    for (const [field, value] of Object.entries(data)) {
      if (!nonEmpty(value)) throw new Error(`${name}.${field} answered ${JSON.stringify(value)}`);
    }
    for (const o of ['ingestSceneGraph', 'ingestImage'] as const) {
      const id = ((data[o] as Data | undefined)?.image as Data | undefined)?.id;
      if (typeof id === 'string') made.push(id);
    }
  });

  it('binds variables: every OneBall match is the bound ball, a subset of AnyBalls', () => {
    const one = answers.get('OneBall')!.searchImages as {
      totalCount: number;
      edges: {
        bindings: { variable: string; object: { key: string } }[];
        matches: { subject: { key: string } }[];
      }[];
    };
    const any = answers.get('AnyBalls')!.searchImages as { totalCount: number };
    expect(one.totalCount).toBeLessThanOrEqual(any.totalCount);
    for (const e of one.edges) {
      expect(e.bindings).toHaveLength(1);
      expect(e.matches.map((m) => m.subject.key)).toEqual([
        e.bindings[0].object.key,
        e.bindings[0].object.key,
      ]);
    }
  });
});
