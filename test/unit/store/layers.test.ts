import { layerProps, layersFromProps } from '../../../src/store/layers';
import { toStoredImage } from '../../../src/store/storedScene';
import { buildSceneGraph } from '../../../src/spatial/engine';
import { obj } from '../../helpers/scenes';

describe('layers on the image (store model 5)', () => {
  const layers = [
    { index: 1, basic: 'b', members: ['b', 'c:1'] },
    { index: 0, basic: 'a', members: ['a'] },
  ];

  it('writes index:key lists in index order and reads back the rows Layer nodes gave', () => {
    const props = layerProps(layers);
    expect(props).toEqual({ layerBasics: ['0:a', '1:b'], layerMembers: ['0:a', '1:b', '1:c:1'] });
    expect(layersFromProps('img', props.layerBasics, props.layerMembers)).toEqual([
      { id: 'img#0', imageId: 'img', index: 0, basic: 'img:a', members: ['img:a'] },
      // A key may hold ':' itself: only the first one ends the index.
      { id: 'img#1', imageId: 'img', index: 1, basic: 'img:b', members: ['img:b', 'img:c:1'] },
    ]);
  });

  it('has no properties and no rows for an image without layers', () => {
    expect(layerProps([])).toEqual({ layerBasics: null, layerMembers: null });
    expect(layersFromProps('img', null, null)).toEqual([]);
    expect(layersFromProps('img', [], [])).toEqual([]);
  });

  it('keeps a layer without members and ignores members of a layer it does not list', () => {
    expect(layersFromProps('img', ['3:a'], ['4:b'])).toEqual([
      { id: 'img#3', imageId: 'img', index: 3, basic: 'img:a', members: [] },
    ]);
  });

  it('refuses entries that are not index:key, naming the property', () => {
    expect(() => layersFromProps('img', ['a'], [])).toThrow(/Image\.layerBasics entry "a"/);
    expect(() => layersFromProps('img', [':a'], [])).toThrow(/layerBasics/);
    expect(() => layersFromProps('img', ['0:a'], ['-1:a'])).toThrow(/Image\.layerMembers entry "-1:a"/);
  });

  it('is what toStoredImage writes: layers as properties, rawLabel only where normalising changed it', () => {
    const scene = buildSceneGraph({
      version: 1,
      image: { uri: 'test://layers/1.jpg', width: 640, height: 480 },
      objects: [
        obj('p', 'People', [100, 100, 200, 400], 2, 2.4, 0.9),
        obj('t', 'table', [80, 250, 400, 420], 2.6, 3.2, 0.8),
        obj('c', 'car', [300, 200, 500, 330], 6, 8, 0.8),
      ],
    });
    const stored = toStoredImage(scene, '2026-12-05T00:00:00.000Z');
    expect(scene.layers!.length).toBeGreaterThan(0);
    expect(
      layersFromProps(stored.id, stored.props.layerBasics as string[], stored.props.layerMembers as string[]),
    ).toEqual(
      [...scene.layers!]
        .sort((a, b) => a.index - b.index)
        .map((l) => ({
          id: `${stored.id}#${l.index}`,
          imageId: stored.id,
          index: l.index,
          basic: `${stored.id}:${l.basic}`,
          members: l.members.map((m) => `${stored.id}:${m}`),
        })),
    );
    const byKey = new Map(stored.objects.map((o) => [o.key, o]));
    expect(byKey.get('p')).toMatchObject({ label: 'person', rawLabel: 'People' });
    expect(byKey.get('t')).toMatchObject({ label: 'table', rawLabel: null });
  });
});
