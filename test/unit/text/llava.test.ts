import { UserInputError } from '../../../src/errors/errors';
import { exportLlava, IMAGE_TOKEN, toLlavaRecords } from '../../../src/text/llava';
import { generateTrainingData } from '../../../src/text/trainingData';
import { roomGraph } from './fixtures';

describe('generateTrainingData', () => {
  it('produces identical output for the same graph and seed', () => {
    const a = generateTrainingData(roomGraph(), { seed: 11, qaFormat: 'both' });
    const b = generateTrainingData(roomGraph(), { seed: 11, qaFormat: 'both' });
    expect(JSON.stringify(b)).toBe(JSON.stringify(a));
    expect(JSON.stringify(generateTrainingData(roomGraph(), { seed: 12, qaFormat: 'both' }))).not.toBe(
      JSON.stringify(a),
    );
  });

  it('keeps each kind independent of which others are requested', () => {
    const all = generateTrainingData(roomGraph(), { seed: 3 });
    const qaOnly = generateTrainingData(roomGraph(), { seed: 3, kinds: ['qa'] });
    expect(qaOnly.qa).toEqual(all.qa);
    expect(qaOnly.desc).toBeUndefined();
    expect(qaOnly.conv).toBeUndefined();
  });

  it('honours maxQa and rejects unknown kinds', () => {
    expect(generateTrainingData(roomGraph(), { seed: 1, maxQa: 2 }).qa).toHaveLength(2);
    expect(() => generateTrainingData(roomGraph(), { seed: 1, kinds: ['caption' as never] })).toThrow(
      UserInputError,
    );
  });
});

describe('LLaVA export', () => {
  it('emits {id, image, conversations} records with <image> opening the first human turn only', () => {
    const records = exportLlava(roomGraph(), { seed: 1, maxQa: 4 });
    expect(records.map((r) => r.id)).toEqual([
      'room-desc',
      'room-qa-1',
      'room-qa-2',
      'room-qa-3',
      'room-qa-4',
      'room-conv',
    ]);
    for (const record of records) {
      expect(Object.keys(record).sort()).toEqual(['conversations', 'id', 'image']);
      expect(record.image).toBe('file:///data/room.jpg');
      expect(record.conversations[0].from).toBe('human');
      expect(record.conversations[0].value.startsWith(`${IMAGE_TOKEN}\n`)).toBe(true);
      const tokens = record.conversations.map((t) => t.value.split(IMAGE_TOKEN).length - 1);
      expect(tokens.reduce((a, b) => a + b, 0)).toBe(1);
      record.conversations.forEach((t, i) => expect(t.from).toBe(i % 2 === 0 ? 'human' : 'gpt'));
      for (const t of record.conversations) expect(Object.keys(t).sort()).toEqual(['from', 'value']);
    }
    expect(JSON.parse(JSON.stringify(records))).toEqual(records);
  });

  it('uses grounded tags when grounded, and none otherwise', () => {
    const grounded = exportLlava(roomGraph(), { seed: 1, grounded: true });
    const plain = exportLlava(roomGraph(), { seed: 1 });
    const text = (rs: typeof plain) => rs.flatMap((r) => r.conversations.map((t) => t.value)).join('\n');
    expect(text(grounded)).toMatch(/<ref>cup<\/ref><box>\[\[\d+, \d+, \d+, \d+\]\]<\/box>/);
    expect(text(grounded)).toContain('<pred>');
    expect(text(plain)).not.toMatch(/<ref>|<box>|<pred>/);
  });

  it('takes the id prefix from sha256 or the option, and the image field from the option', () => {
    const graph = roomGraph();
    graph.image.sha256 = 'abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789';
    const data = generateTrainingData(graph, { seed: 1, kinds: ['desc'] });
    expect(toLlavaRecords(data)[0].id).toBe('abcdef0123456789-desc');
    expect(toLlavaRecords(data, { idPrefix: 'x', image: 'room.jpg' })[0]).toMatchObject({
      id: 'x-desc',
      image: 'room.jpg',
    });
  });
});
