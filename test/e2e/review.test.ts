import { spawn } from 'node:child_process';
import { copyFileSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createApiKey, revokeApiKey } from '../../src/auth/apiKey.store';
import type { Database } from '../../src/db/database';
import { deleteImage } from '../../src/store/ingest.store';
import { exportPageByIds } from '../../src/store/export.store';
import { generateTrainingData } from '../../src/text/trainingData';
import type { RunningService } from '../../src/server/service';
import { streetScene } from '../helpers/scenes';
import { testDatabase, uniquePrefix } from '../helpers/testDatabase';
import { gql, startTestService } from '../helpers/testService';

/**
 * Human review, reviewed relations as ground truth, the image text fields, exportSceneGraph and
 * ingestImage(mllm) over HTTP, and `export --reviewed` / `eval --gt store:reviewed` through the CLI,
 * against the real Neo4j.
 */

const ROOT = path.resolve(__dirname, '../..');
const CLI = path.join(ROOT, 'dist/src/cli/main.js');
const SKIMAGE = '/usr/lib/python3/dist-packages/skimage/data';

const INGEST =
  'mutation($g: JSONObject!) { ingestSceneGraph(input: $g) { image { id relations(first: 100) { id predicate source } } } }';
const CONFIRM =
  'mutation($id: ID!, $r: String) { confirmRelation(id: $id, reviewer: $r) { id review { verdict reviewer reviewerKeyId at } } }';
const REJECT =
  'mutation($id: ID!, $r: String) { rejectRelation(id: $id, reviewer: $r) { id review { verdict reviewer } } }';
const ADD =
  'mutation($in: AddRelationInput!, $r: String) { addRelation(input: $in, reviewer: $r) { id predicate source score review { verdict reviewer } } }';

type Errors = { message: string; extensions?: Record<string, unknown> }[] | undefined;
const codeOf = (errors: Errors) => errors?.[0]?.extensions?.code;
const fieldOf = (errors: Errors) => errors?.[0]?.extensions?.field;

function runCli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: ROOT, env: { ...process.env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('human review and reviewed ground truth (HTTP, CLI, real Neo4j)', () => {
  let db: Database;
  let service: RunningService;
  const images = new Set<string>();
  const tag = uniquePrefix('review-e2e');
  let imageId = '';
  let relations: { id: string; predicate: string; source: string }[] = [];

  beforeAll(async () => {
    db = testDatabase();
    service = await startTestService();
    const r = await gql(service, INGEST, { g: streetScene(tag) });
    const image = (r.body.data!.ingestSceneGraph as { image: { id: string; relations: typeof relations } })
      .image;
    imageId = image.id;
    images.add(imageId);
    relations = image.relations;
  });

  afterAll(async () => {
    for (const id of images) await deleteImage(db, id);
    await service.stop();
    await db.close();
  });

  async function reviewCount(): Promise<number> {
    const res = await db.read('test.reviews', (tx) =>
      tx.run<{ n: number }>('MATCH (rv:Review {imageId: $imageId}) RETURN count(rv) AS n', { imageId }),
    );
    return res.records[0].get('n');
  }

  it('confirms, rejects and adds relations with the reviewer given (keys off); bad input names the field and writes nothing', async () => {
    const front = relations.filter((r) => r.source === 'GEOMETRY' && r.predicate === 'in front of');
    expect(front.length).toBeGreaterThanOrEqual(2);
    const other = relations.find((r) => r.source === 'GEOMETRY' && r.predicate !== 'in front of')!;

    const missing = await gql(service, CONFIRM, { id: front[0].id });
    expect(codeOf(missing.body.errors)).toBe('BAD_USER_INPUT');
    expect(fieldOf(missing.body.errors)).toBe('reviewer');
    const unknown = await gql(service, CONFIRM, { id: `${imageId}:p|riding|${imageId}:c|MODEL`, r: 'ann' });
    expect(codeOf(unknown.body.errors)).toBe('NOT_FOUND');
    const malformed = await gql(service, REJECT, { id: 'not-a-relation', r: 'ann' });
    expect(fieldOf(malformed.body.errors)).toBe('id');
    const badAdd = await gql(service, ADD, {
      in: { subjectId: `${imageId}:p`, predicate: 'looking at', objectId: `${imageId}:p` },
      r: 'ann',
    });
    expect(fieldOf(badAdd.body.errors)).toBe('input.objectId');
    expect(await reviewCount()).toBe(0);

    for (const f of front) {
      const ok = await gql(service, CONFIRM, { id: f.id, r: 'ann' });
      expect(ok.body.errors).toBeUndefined();
      const got = ok.body.data!.confirmRelation as {
        review: { verdict: string; reviewer: string; reviewerKeyId: null; at: string };
      };
      expect(got.review).toMatchObject({ verdict: 'CONFIRMED', reviewer: 'ann', reviewerKeyId: null });
      expect(Date.parse(got.review.at)).toBeGreaterThan(Date.now() - 60_000);
    }
    const rej = await gql(service, REJECT, { id: other.id, r: 'bob' });
    expect(rej.body.data!.rejectRelation).toEqual({
      id: other.id,
      review: { verdict: 'REJECTED', reviewer: 'bob' },
    });
    const add = await gql(service, ADD, {
      in: { subjectId: `${imageId}:p`, predicate: 'Looking_At', objectId: `${imageId}:c`, score: 0.9 },
      r: 'ann',
    });
    expect(add.body.data!.addRelation).toEqual({
      id: `${imageId}:p|looking at|${imageId}:c|HUMAN`,
      predicate: 'looking at',
      source: 'HUMAN',
      score: 0.9,
      review: { verdict: 'CONFIRMED', reviewer: 'ann' },
    });

    // Visible on Relation and usable as a filter.
    const q = await gql(
      service,
      `query($id: ID!) { rejected: relations(where: {imageId: $id, review: REJECTED}) { edges { node { id review { reviewer } } } }
        confirmed: relations(where: {imageId: $id, review: CONFIRMED}, first: 50) { totalCount }
        human: relations(where: {imageId: $id, source: HUMAN}) { edges { node { predicate review { verdict } } } } }`,
      { id: imageId },
    );
    expect(q.body.errors).toBeUndefined();
    expect(q.body.data!.rejected).toEqual({
      edges: [{ node: { id: other.id, review: { reviewer: 'bob' } } }],
    });
    expect(q.body.data!.confirmed).toEqual({ totalCount: front.length + 1 });
    expect(q.body.data!.human).toEqual({
      edges: [{ node: { predicate: 'looking at', review: { verdict: 'CONFIRMED' } } }],
    });
  });

  it('with API keys the reviewer is the key; a reviewer argument is refused; a read key is FORBIDDEN', async () => {
    const keyed = await startTestService({ AUTH_MODE: 'keys' });
    const writer = await createApiKey(db, { name: uniquePrefix('reviewer-key'), role: 'write' });
    const reader = await createApiKey(db, { name: uniquePrefix('reader-key'), role: 'read' });
    try {
      const post = async (token: string, query: string, variables: Record<string, unknown>) => {
        const res = await fetch(`${keyed.url}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
          body: JSON.stringify({ query, variables }),
        });
        return {
          status: res.status,
          body: (await res.json()) as { data?: Record<string, unknown>; errors?: Errors },
        };
      };
      const id = relations.find((r) => r.source === 'ANNOTATION')!.id;
      const before = await reviewCount();
      const forbidden = await post(reader.token, CONFIRM, { id });
      expect(forbidden.status).toBe(403);
      const spoof = await post(writer.token, CONFIRM, { id, r: 'someone else' });
      expect(fieldOf(spoof.body.errors)).toBe('reviewer');
      expect(await reviewCount()).toBe(before);
      const ok = await post(writer.token, CONFIRM, { id });
      expect((ok.body.data!.confirmRelation as { review: unknown }).review).toMatchObject({
        verdict: 'CONFIRMED',
        reviewer: writer.record.name,
        reviewerKeyId: writer.record.id,
      });
    } finally {
      await revokeApiKey(db, writer.record.id);
      await revokeApiKey(db, reader.record.id);
      await keyed.stop();
    }
  });

  it('Image.spatialDescription / spatialQA are the data engine on the stored graph; exportSceneGraph writes both formats', async () => {
    const q = `query($id: ID!, $seed: Int!) { image(id: $id) { spatialDescription
      qa: spatialQA(seed: $seed, format: CHOICE, max: 5) { id kind question answer choices correct } } }`;
    const a = await gql(service, q, { id: imageId, seed: 7 });
    const b = await gql(service, q, { id: imageId, seed: 7 });
    expect(a.body.errors).toBeUndefined();
    expect(b.body.data).toEqual(a.body.data);
    const [stored] = await exportPageByIds(db, [imageId]);
    const expected = generateTrainingData(stored.scene, {
      seed: 7,
      kinds: ['desc', 'qa'],
      maxQa: 5,
      qaFormat: 'choice',
    });
    const image = a.body.data!.image as {
      spatialDescription: string;
      qa: { id: string; answer: string; correct: string }[];
    };
    expect(image.spatialDescription).toBe(expected.desc);
    expect(image.qa.map((x) => x.id)).toEqual(expected.qa.map((x) => x.id));
    expect(image.qa.map((x) => x.correct)).toEqual(expected.qa.map((x) => x.correct));
    const tooMany = await gql(service, q.replace('max: 5', 'max: 101'), { id: imageId, seed: 1 });
    expect(fieldOf(tooMany.body.errors)).toBe('max');

    const e = await gql(
      service,
      `query($id: ID!) { v1: exportSceneGraph(id: $id, format: SCENE_GRAPH_V1) psg: exportSceneGraph(id: $id, format: PSG) }`,
      { id: imageId },
    );
    expect(e.body.errors).toBeUndefined();
    const v1 = e.body.data!.v1 as {
      version: number;
      objects: { key: string }[];
      relations: { predicate: string; source: string }[];
    };
    expect(v1.version).toBe(1);
    expect(v1.objects.map((o) => o.key)).toEqual(['p', 'c', 'g']);
    expect(v1.relations).toEqual(
      expect.arrayContaining([expect.objectContaining({ predicate: 'looking at', source: 'HUMAN' })]),
    );
    const psg = e.body.data!.psg as { predicate_classes: string[]; data: { relations: number[][] }[] };
    expect(psg.predicate_classes).toHaveLength(56);
    expect(psg.data).toHaveLength(1);
    const nf = await gql(service, '{ exportSceneGraph(id: "ffffffff", format: PSG) }');
    expect(codeOf(nf.body.errors)).toBe('NOT_FOUND');
  });

  it('export --reviewed writes the confirmed relations; eval --gt store:reviewed scores the store (values by hand)', async () => {
    const out = mkdtempSync(path.join(os.tmpdir(), 'reviewed-'));
    const prefix = `test://${tag}/`;
    const exp = await runCli([
      'export',
      '--reviewed',
      '--format',
      'scenegraph',
      '--uri-prefix',
      prefix,
      '--out',
      out,
    ]);
    expect(exp.stderr).toBe('');
    expect(exp.code).toBe(0);
    expect(readdirSync(out)).toEqual([`${imageId}.json`]);
    const gt = JSON.parse(readFileSync(path.join(out, `${imageId}.json`), 'utf8')) as {
      relations: { subject: string; predicate: string; object: string; source: string }[];
    };
    const front = relations.filter((r) => r.source === 'GEOMETRY' && r.predicate === 'in front of');
    // Confirmed: every in-front-of, the annotation (by the key) and the added one; the rejected one is out.
    expect(gt.relations.map((r) => r.predicate).sort()).toEqual(
      [...front.map(() => 'in front of'), 'looking at', 'walking with'].sort(),
    );

    const json = path.join(out, 'report.json');
    const ev = await runCli([
      'eval',
      '--gt',
      'store:reviewed',
      '--pred',
      'store',
      '--protocol',
      'asmv2',
      '--uri-prefix',
      prefix,
      '--json',
      json,
    ]);
    expect(ev.code).toBe(0);
    expect(ev.stdout).toContain('asmv2');
    const report = JSON.parse(readFileSync(json, 'utf8')) as {
      recall: number;
      meanRecall: number;
      triplets: { gt: number };
    };
    // n in-front-of relations, all predicted by the geometry; walking with (ANNOTATION) and looking at
    // (HUMAN) are not among GEOMETRY/MODEL predictions: R = n / (n + 2), mR = (1 + 0 + 0) / 3.
    const n = front.length;
    expect(report.triplets.gt).toBe(n + 2);
    expect(report.recall).toBeCloseTo(n / (n + 2), 10);
    expect(report.meanRecall).toBeCloseTo(1 / 3, 10);

    // The annotation as prediction too: R = (n + 1) / (n + 2), mR = 2 / 3.
    const ev2 = await runCli([
      'eval',
      '--gt',
      'store:reviewed',
      '--pred',
      'store:GEOMETRY,ANNOTATION',
      '--protocol',
      'asmv2',
      '--uri-prefix',
      prefix,
      '--json',
      json,
    ]);
    expect(ev2.code).toBe(0);
    const report2 = JSON.parse(readFileSync(json, 'utf8')) as { recall: number; meanRecall: number };
    expect(report2.recall).toBeCloseTo((n + 1) / (n + 2), 10);
    expect(report2.meanRecall).toBeCloseTo(2 / 3, 10);

    const bad = await runCli(['eval', '--gt', 'store:nothing', '--pred', 'store', '--protocol', 'asmv2']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--gt');
  });
});

describe('ingestImage(mllm: true) (local OpenAI-compatible endpoint, real Neo4j)', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'gql-mllm-'));
  const db = testDatabase();
  const ids = new Set<string>();
  let server: http.Server;
  let requests = 0;
  const REPLY =
    '<ref>astronaut</ref><box>[[100, 50, 850, 999]]</box> <pred>holding</pred><box>[[100, 50, 850, 999]]</box>' +
    '<box>[[600, 600, 900, 900]]</box> <ref>helmet</ref><box>[[600, 600, 900, 900]]</box> <ref>flag</ref><box>[[20, 20, 200, 300]]</box>';
  const MUTATION = `mutation($path: String!, $mllm: Boolean) { ingestImage(input: {path: $path}, mllm: $mllm) {
    image { id objects { label } relations(where: {sources: [MODEL]}) { predicate subject { label } object { label } } } } }`;

  beforeAll(async () => {
    copyFileSync(path.join(SKIMAGE, 'astronaut.png'), path.join(dir, 'astronaut.png'));
    server = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        requests++;
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({
            choices: [{ index: 0, message: { role: 'assistant', content: REPLY }, finish_reason: 'stop' }],
          }),
        );
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });

  afterAll(async () => {
    for (const id of ids) await deleteImage(db, id);
    await db.close();
    await new Promise((resolve) => server.close(resolve));
  });

  it('without an MLLM configured: BAD_USER_INPUT naming mllm, nothing asked', async () => {
    const svc = await startTestService({ INGEST_ROOTS: dir, DEPTH_MODEL: 'none' });
    try {
      const r = await gql(svc, MUTATION, { path: path.join(dir, 'astronaut.png'), mllm: true });
      expect(codeOf(r.body.errors)).toBe('BAD_USER_INPUT');
      expect(fieldOf(r.body.errors)).toBe('mllm');
      expect(requests).toBe(0);
    } finally {
      await svc.stop();
    }
  });

  it("objects and MODEL relations from the endpoint's grounded reply, through the ingest pipeline", async () => {
    const { port } = server.address() as AddressInfo;
    const svc = await startTestService({
      INGEST_ROOTS: dir,
      DEPTH_MODEL: 'none',
      MLLM_URL: `http://127.0.0.1:${port}/v1`,
      MLLM_MODEL: 'replay',
    });
    try {
      const r = await gql(svc, MUTATION, { path: path.join(dir, 'astronaut.png'), mllm: true });
      expect(r.body.errors).toBeUndefined();
      const image = (
        r.body.data!.ingestImage as {
          image: {
            id: string;
            objects: { label: string }[];
            relations: { predicate: string; subject: { label: string }; object: { label: string } }[];
          };
        }
      ).image;
      ids.add(image.id);
      expect(requests).toBe(1);
      expect(image.objects.map((o) => o.label).sort()).toEqual(['astronaut', 'flag', 'helmet']);
      expect(image.relations).toEqual([
        { predicate: 'holding', subject: { label: 'astronaut' }, object: { label: 'helmet' } },
      ]);
      const queries = await gql(
        svc,
        'mutation($p: String!) { ingestImage(input: {path: $p, queries: ["cat"]}, mllm: true) { status } }',
        {
          p: path.join(dir, 'astronaut.png'),
        },
      );
      expect(fieldOf(queries.body.errors)).toBe('input.queries');
    } finally {
      await svc.stop();
    }
  });
});
