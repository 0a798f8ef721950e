import { readFileSync } from 'node:fs';
import path from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import { toDepthMap } from '../../../src/spatial/depthMap';
import { buildSceneGraph } from '../../../src/spatial/engine';
import { generateScene } from '../../../src/synth/generateScene';

const schema = JSON.parse(
  readFileSync(path.resolve(__dirname, '../../../schema/scene-graph.v1.schema.json'), 'utf8'),
) as object;
const validate = new Ajv2020({ strict: false }).compile(schema);

describe('schema/scene-graph.v1.schema.json', () => {
  it('accepts what synth writes and what build produces from it', async () => {
    const s = await generateScene({ seed: 5, objects: 6 });
    expect(validate(s.scene)).toBe(true);
    const built = buildSceneGraph(
      s.scene,
      toDepthMap(s.depth.data, s.depth.width, s.depth.height, { unit: 'meters' }),
    );
    const ok = validate(JSON.parse(JSON.stringify(built)));
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
  });

  it('rejects a scene without objects or with a bad relation source', () => {
    expect(validate({ version: 1, image: { uri: 'a', width: 1, height: 1 } })).toBe(false);
    expect(
      validate({
        version: 1,
        image: { uri: 'a', width: 1, height: 1 },
        objects: [],
        relations: [{ subject: 'a', predicate: 'on', object: 'b', source: 'GUESS' }],
      }),
    ).toBe(false);
  });
});
