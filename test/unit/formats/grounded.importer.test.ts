import { importGrounded } from '../../../src/formats/grounded.importer';
import { failureOf, fixture } from './fixtures';

describe('grounded text importer', () => {
  const result = importGrounded(fixture('grounded-records.json'), { file: 'records.json' });

  it('converts padded-square 0..999 coordinates back to pixels (landscape: padding above and below)', () => {
    const kitchen = result.scenes[0].scene;
    expect(result.scenes[0].name).toBe('kitchen');
    expect(kitchen.image).toEqual({ uri: 'kitchen.jpg', width: 640, height: 480 });
    // 281 / 999 * 640 = 180.02; y: 281 / 999 * 640 - 80 (padding) = 100.02
    expect(kitchen.objects[0]).toEqual({ key: 'o1', label: 'cup', box: [180.02, 100.02, 220.38, 139.74] });
    expect(kitchen.objects[1]).toEqual({ key: 'o2', label: 'table', box: [0, 319.76, 640, 479.92] });
  });

  it('labels boxes no <ref> names unknown, and normalises predicates (next_to -> beside)', () => {
    const kitchen = result.scenes[0].scene;
    expect(kitchen.objects[2].label).toBe('unknown');
    expect(kitchen.relations).toEqual([
      { subject: 'o1', predicate: 'on', object: 'o2', source: 'ANNOTATION' },
      { subject: 'o1', predicate: 'beside', object: 'o3', source: 'ANNOTATION' },
    ]);
  });

  it('reads LLaVA conversations as one text, with image {uri, width, height} (portrait: padding left and right)', () => {
    const street = result.scenes[1].scene;
    expect(street.image).toEqual({ uri: 'street.jpg', width: 480, height: 640 });
    expect(street.objects.map((o) => o.label)).toEqual(['car', 'person']);
    // x: 125 / 999 * 640 - 80 = 0.08
    expect(street.objects[0].box[0]).toBeCloseTo(0.08, 2);
    expect(street.relations).toEqual([
      { subject: 'o2', predicate: 'in front of', object: 'o1', source: 'ANNOTATION' },
    ]);
  });

  it("gives relations the requested source (MODEL for a model's replies)", () => {
    const replies = importGrounded(fixture('grounded-records.json'), { relationSource: 'MODEL' });
    expect(replies.scenes[0].scene.relations!.map((r) => r.source)).toEqual(['MODEL', 'MODEL']);
  });

  it('reports parse errors with the record, the field and the character offset; drops boxes in the padding', () => {
    const broken = importGrounded(fixture('grounded-broken.json'), { file: 'g.json' });
    expect(failureOf(broken, '[0]')).toBe('g.json: [0].text: <box> is not closed by </box> (at offset 55)');
    expect(failureOf(broken, '[1]')).toMatch(/^g\.json: \[1\]: needs the image size \(width and height\)/);
    expect(failureOf(broken, '[2]')).toBe(
      'g.json: [2].text: coordinates must be integers in 0..999, got 1200 (at offset 19)',
    );
    expect(broken.scenes.map((s) => [s.name, s.scene.objects.length])).toEqual([['d', 0]]);
    expect(broken.warnings[0]).toMatch(/lies in the padding.*\(\[3\]\.text\)/);
  });
});
