import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import ts from 'typescript';
import { readmeDocuments } from '../../../codegen';

const ROOT = path.resolve(__dirname, '../../..');

/**
 * graphql-codegen over the committed SDL and README.md's operations (codegen.ts, `npm run codegen`):
 * every operation validates against the schema, and the generated types compile and describe the
 * answers a client reads.
 */
describe('graphql-codegen over the SDL and the README operations', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'codegen-'));
  const out = path.join(dir, 'graphql.ts');

  it('generates types that type-check, with the fields the README selects', () => {
    expect(readmeDocuments().length).toBeGreaterThan(0);
    const run = spawnSync(
      process.execPath,
      [path.join(ROOT, 'node_modules/@graphql-codegen/cli/cjs/bin.js'), '--config', 'codegen.ts'],
      { cwd: ROOT, env: { ...process.env, CODEGEN_OUT: out }, encoding: 'utf8' },
    );
    if (run.status !== 0)
      throw new Error(`graphql-codegen failed (${run.status}): ${run.stdout}${run.stderr}`);
    const usage = path.join(dir, 'usage.ts');
    writeFileSync(
      usage,
      `import type { OneBallQuery, LatestQuery, FrontOfBoxQuery, DepthUnit, LookupQuery, IngestTypedMutationVariables } from './graphql';
import type { SceneObject } from './graphql.schema';
declare const whole: SceneObject;
declare const one: OneBallQuery;
declare const latest: LatestQuery;
declare const front: FrontOfBoxQuery;
declare const lookup: LookupQuery;
const variable: string = one.searchImages.edges[0].bindings[0].variable;
const total: number = one.searchImages.totalCount + front.objectsInFrontOf.totalCount;
const unit: DepthUnit | undefined = latest.images.edges[0].node.objects[0].depth?.unit;
const when: string = latest.images.edges[0].node.ingestedAt;
const start: string | null = latest.images.pageInfo.startCursor;
const node = lookup.node;
const label: string | undefined = node?.__typename === 'SceneObject' ? node.label : undefined;
const key: string = whole.key;
// The typed ingest input is checked: a scene with typed objects, relations and an enum depth unit.
const scene: IngestTypedMutationVariables = {
  scene: {
    image: { uri: 'test://a.jpg', width: 640, height: 480 },
    depth: { uri: 'd.npy', unit: 'INVERSE' },
    objects: [{ key: 'o1', label: 'cup', box: [1, 2, 3, 4], depth: { min: 1, p5: 1, p50: 2, p95: 3, max: 3, unit: 'METERS' } }],
    relations: [{ subject: 'o1', predicate: 'on', object: 'o1', source: 'ANNOTATION' }],
  },
};
// @ts-expect-error a unit outside the enum does not type-check
const badUnit: IngestTypedMutationVariables = { scene: { ...scene.scene, depth: { uri: 'd.npy', unit: 'feet' } } };
// @ts-expect-error a box must be numbers
const badBox: IngestTypedMutationVariables = { scene: { ...scene.scene, objects: [{ key: 'o', label: 'x', box: ['1'] }] } };
export const used = [variable, total, unit, when, start, label, key, scene, badUnit, badBox];
`,
    );
    const program = ts.createProgram([out, out.replace(/\.ts$/, '.schema.ts'), usage], {
      strict: true,
      noEmit: true,
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.CommonJS,
      skipLibCheck: true,
      types: [],
    });
    const diagnostics = ts
      .getPreEmitDiagnostics(program)
      .map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
    expect(diagnostics).toEqual([]);
  }, 120_000);
});
