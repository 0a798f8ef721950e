import type { SceneGraph, SceneObject } from '../../../src/scenegraph/sceneGraph.types';
import { createMentions } from '../../../src/text/mentions';

const graphOf = (objects: Array<Pick<SceneObject, 'key' | 'label' | 'box'>>): SceneGraph => ({
  version: 1,
  image: { uri: 'x.png', width: 1000, height: 1000 },
  objects,
});

describe('createMentions', () => {
  it('names unique labels plainly and duplicates by horizontal position', () => {
    const m = createMentions(
      graphOf([
        { key: 'r', label: 'chair', box: [600, 0, 700, 100] },
        { key: 'l', label: 'Chair', box: [0, 0, 100, 100] },
        { key: 't', label: 'table', box: [0, 0, 100, 100] },
      ]),
    );
    expect([m.name('l'), m.name('r'), m.name('t')]).toEqual([
      'the left Chair',
      'the right chair',
      'the table',
    ]);
  });

  it('uses left/middle/right for three and ordinals for more', () => {
    const three = createMentions(
      graphOf([0, 1, 2].map((i) => ({ key: `k${i}`, label: 'cup', box: [i * 200, 0, i * 200 + 10, 10] }))),
    );
    expect(['k0', 'k1', 'k2'].map((k) => three.name(k))).toEqual([
      'the left cup',
      'the middle cup',
      'the right cup',
    ]);
    const five = createMentions(
      graphOf(
        [4, 3, 2, 1, 0].map((i) => ({ key: `k${i}`, label: 'cup', box: [i * 100, 0, i * 100 + 10, 10] })),
      ),
    );
    expect(five.name('k1')).toBe('the second cup from the left');
  });

  it('falls back to vertical position when centres line up horizontally', () => {
    const m = createMentions(
      graphOf([
        { key: 'low', label: 'shelf', box: [0, 500, 100, 600] },
        { key: 'up', label: 'shelf', box: [5, 0, 95, 100] },
      ]),
    );
    expect([m.name('up'), m.name('low')]).toEqual(['the upper shelf', 'the lower shelf']);
  });

  it('gives no definite name when position cannot tell objects apart', () => {
    const m = createMentions(
      graphOf([
        { key: 'a', label: 'cup', box: [0, 0, 100, 100] },
        { key: 'b', label: 'cup', box: [5, 5, 95, 95] },
      ]),
    );
    expect(m.name('a')).toBeNull();
    expect(m.describe('a')).toBe('a cup');
  });

  it('grounded: the box identifies the object, unless two boxes coincide', () => {
    const m = createMentions(
      graphOf([
        { key: 'a', label: 'cup', box: [0, 0, 100, 100] },
        { key: 'b', label: 'cup', box: [0, 0, 100, 100] },
        { key: 'c', label: 'cup', box: [500, 500, 600, 600] },
      ]),
      { grounded: true },
    );
    expect(m.name('a')).toBeNull();
    expect(m.name('c')).toBe('the <ref>cup</ref><box>[[500, 500, 599, 599]]</box>');
  });
});
