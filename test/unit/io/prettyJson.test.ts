import { prettyJson } from '../../../src/io/prettyJson';

describe('prettyJson', () => {
  it('keeps number arrays and small flat objects on one line, and parses back to the same value', () => {
    const value = {
      box: [1, 2, 3.5, 4],
      relations: [{ subject: 'o1', predicate: 'on', object: 'o2' }],
      nested: { deep: { list: [[1, 2], [3]] }, empty: {}, none: [] },
      skipped: undefined,
    };
    const text = prettyJson(value);
    expect(text).toBe(
      [
        '{',
        '  "box": [1, 2, 3.5, 4],',
        '  "relations": [',
        '    { "subject": "o1", "predicate": "on", "object": "o2" }',
        '  ],',
        '  "nested": {',
        '    "deep": {',
        '      "list": [',
        '        [1, 2],',
        '        [3]',
        '      ]',
        '    },',
        '    "empty": {},',
        '    "none": []',
        '  }',
        '}',
        '',
      ].join('\n'),
    );
    expect(JSON.parse(text)).toEqual(JSON.parse(JSON.stringify(value)));
  });

  it('breaks long flat objects over lines', () => {
    const long = { a: 'x'.repeat(60), b: 'y'.repeat(60) };
    expect(prettyJson(long).split('\n')).toHaveLength(5);
  });
});
