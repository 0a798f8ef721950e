import {
  columns,
  IMAGE_COLUMNS,
  OBJECT_COLUMNS,
  type ImageRow,
  type ObjectRow,
} from '../../../src/store/rows';

describe('rows read by position (columns)', () => {
  const spec = columns<{ id: string; label: string; box: number[] }>([
    'id',
    ['label', (v) => `coalesce(${v}.rawLabel, ${v}.label)`],
    ['box', (v) => `[${v}.x1, ${v}.x2]`],
  ]);

  it('projects each field in spec order, stored name or its own expression', () => {
    expect(spec.project('o')).toBe('[o.id, coalesce(o.rawLabel, o.label), [o.x1, o.x2]]');
  });

  it('names the values in the same order', () => {
    expect(spec.read(['o1', 'cup', [1, 2]])).toEqual({ id: 'o1', label: 'cup', box: [1, 2] });
  });

  it('keeps nulls (a property the node lacks)', () => {
    expect(spec.read([null, 'cup', null])).toEqual({ id: null, label: 'cup', box: null });
  });

  it('refuses a list of another length instead of shifting fields', () => {
    expect(() => spec.read(['o1', 'cup'])).toThrow('a row of 3 columns, got 2 values');
  });

  // Every field of the row types is read, once: a field added to ObjectRow/ImageRow but not here fails.
  it.each([
    [
      'objects',
      OBJECT_COLUMNS,
      [
        'id',
        'imageId',
        'key',
        'label',
        'rawLabel',
        'box',
        'score',
        'depthMin',
        'depthP5',
        'depthP50',
        'depthP95',
        'depthMax',
        'depthUnit',
        'centroid',
        'extent',
        'layer',
        'depthMethod',
      ] satisfies (keyof ObjectRow)[],
    ],
    [
      'images',
      IMAGE_COLUMNS,
      [
        'id',
        'uri',
        'width',
        'height',
        'sha256',
        'configHash',
        'ingestedAt',
        'objectCount',
        'relationCount',
        'depthUnit',
        'depthSpan',
        'intrinsics',
        'provenance',
      ] satisfies (keyof ImageRow)[],
    ],
  ])('%s: one column per row field', (_name, cols, fields) => {
    const row = cols.read(fields.map((f) => `value of ${f}`)) as unknown as Record<string, unknown>;
    expect(Object.keys(row).sort()).toEqual([...fields].sort());
    for (const f of fields) expect(row[f]).toBe(`value of ${f}`);
  });

  it('reads the object box from its four stored numbers and rawLabel falling back to label', () => {
    const q = OBJECT_COLUMNS.project('a');
    expect(q).toContain('[a.boxX1, a.boxY1, a.boxX2, a.boxY2]');
    expect(q).toContain('coalesce(a.rawLabel, a.label)');
  });
});
