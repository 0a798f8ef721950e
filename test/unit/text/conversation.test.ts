import type { SceneGraph } from '../../../src/scenegraph/sceneGraph.types';
import { generateConversation } from '../../../src/text/conversation';
import { createRng } from '../../../src/text/random';
import { roomGraph } from './fixtures';

describe('generateConversation', () => {
  it('walks from objects to layers to relations in 3 to 6 alternating turns', () => {
    for (let seed = 0; seed < 10; seed++) {
      const conv = generateConversation(roomGraph(), createRng(seed));
      const turns = conv?.turns ?? [];
      expect(turns.length % 2).toBe(0);
      expect(turns.length / 2).toBeGreaterThanOrEqual(3);
      expect(turns.length / 2).toBeLessThanOrEqual(6);
      turns.forEach((t, i) => expect(t.from).toBe(i % 2 === 0 ? 'human' : 'gpt'));
      expect(turns[1].value).toBe(
        'I can see 5 objects: the cup, the table, the chair, the lamp and the wall.',
      );
      expect(turns[3].value).toContain('Layer 1: the cup, covered by the table and the wall.');
      expect(turns[3].value.indexOf('Layer 1')).toBeLessThan(turns[3].value.indexOf('Layer 3'));
      expect(turns[5].value).toContain('The cup is on the table.');
    }
  });

  it('reasons through layers and relations before answering', () => {
    const turns = generateConversation(roomGraph(), createRng(1))?.turns ?? [];
    expect(turns).toHaveLength(12);
    expect(turns[7].value).toMatch(/is in layer \d.*The scene graph says that .*\.( .*)?(Yes|No|From|The)/s);
    expect(turns[9].value).toMatch(/From the camera, the \w+ is .*reads as/);
  });

  it('is deterministic for a seed', () => {
    const a = generateConversation(roomGraph(), createRng(5));
    expect(generateConversation(roomGraph(), createRng(5))).toEqual(a);
  });

  it('keeps three turns for a graph with one object and nothing for an empty one', () => {
    const single: SceneGraph = {
      version: 1,
      image: { uri: 'x.png', width: 10, height: 10 },
      objects: [{ key: 'a', label: 'apple', box: [1, 1, 5, 5] }],
    };
    const turns = generateConversation(single, createRng(1))?.turns ?? [];
    expect(turns).toHaveLength(6);
    expect(turns[1].value).toBe('I can see 1 object: the apple.');
    expect(generateConversation({ ...single, objects: [] }, createRng(1))).toBeUndefined();
  });

  it('grounds objects when asked', () => {
    const turns = generateConversation(roomGraph(), createRng(1), { grounded: true })?.turns ?? [];
    expect(turns[1].value).toContain('the <ref>cup</ref><box>[[');
    expect(turns[5].value).toContain('<pred>on</pred>');
  });
});
