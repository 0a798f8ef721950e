import { PassThrough } from 'node:stream';
import { UserInputError } from '../../../src/errors/errors';
import { prettyJson } from '../../../src/io/prettyJson';
import { recordSink } from '../../../src/dataset/recordSink';
import { parseWhere } from '../../../src/dataset/where';
import { exportConditions } from '../../../src/store/export.store';
import type { LlavaRecord } from '../../../src/text/llava';

describe('dataset --where', () => {
  it('parses conditions from one or several options, normalising labels and predicates', () => {
    expect(
      parseWhere(['label=People,predicate=in_front_of', 'source=model', 'uri-prefix=/data/coco/']),
    ).toEqual({
      labels: ['person'],
      predicates: ['in front of'],
      source: 'MODEL',
      uriPrefix: '/data/coco/',
    });
    expect(parseWhere([])).toEqual({ labels: [], predicates: [] });
    expect(parseWhere(['label=dog', 'label=dogs,label=car']).labels).toEqual(['dog', 'car']);
  });

  it.each([
    [['colour=red'], /unknown key "colour"/],
    [['label'], /"label" is not key=value/],
    [['label='], /label= needs a value/],
    [['source=ROBOT'], /source= must be one of GEOMETRY, MODEL, ANNOTATION, HUMAN/],
    [['source=MODEL,source=HUMAN'], /source= may be given once/],
    [[`label=${'x'.repeat(201)}`], /longer than 200 characters/],
    [[Array.from({ length: 33 }, () => 'label=a').join(',')], /at most 32/],
  ])('refuses %j with a typed error naming --where', (clauses, message) => {
    let error: unknown;
    try {
      parseWhere(clauses);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(UserInputError);
    expect((error as UserInputError).message).toMatch(message);
    expect((error as UserInputError).message).toMatch(/^--where: /);
  });

  it('turns conditions into WHERE clauses on stored edges, derived counts and semantic relations', () => {
    const { conditions, params } = exportConditions({
      labels: ['dog'],
      predicates: ['behind', 'near', 'holding'],
      uriPrefix: '/x/',
    });
    expect(conditions).toMatchSnapshot();
    expect(params).toEqual({
      label0: 'dog',
      predicate0: 'behind',
      predicate1: 'near',
      predicate2: 'holding',
      uriPrefix: '/x/',
    });
    // A geometric-only predicate asked of another source matches nothing rather than everything.
    expect(exportConditions({ labels: [], predicates: ['holding'], source: 'GEOMETRY' }).conditions).toEqual([
      'false',
    ]);
    expect(exportConditions({ labels: [], predicates: [], source: 'HUMAN' }).conditions).toMatchSnapshot();
  });
});

describe('dataset record sinks', () => {
  const records: LlavaRecord[] = [1, 2, 3].map((n) => ({
    id: `img-qa-${n}`,
    image: 'a/b.png',
    conversations: [
      { from: 'human', value: `<image>\nQuestion ${n}?\nA. x\nB. "y"` },
      { from: 'gpt', value: n === 2 ? 'A\u2028line' : 'A' },
    ],
  }));

  const written = async (format: 'llava' | 'llava-jsonl', list: LlavaRecord[]): Promise<string> => {
    const stream = new PassThrough();
    let text = '';
    stream.on('data', (d: Buffer) => (text += d.toString()));
    const sink = recordSink(stream, format);
    for (const r of list) await sink.write(r);
    await sink.finish();
    return text;
  };

  it('streams a JSON array identical to prettyJson of the whole list', async () => {
    expect(await written('llava', records)).toBe(prettyJson(records));
    expect(await written('llava', [])).toBe(prettyJson([]));
  });

  it('streams JSON Lines, one compact record per line', async () => {
    const text = await written('llava-jsonl', records);
    expect(text.split('\n')).toHaveLength(4);
    expect(
      text
        .trimEnd()
        .split('\n')
        .map((l) => JSON.parse(l) as unknown),
    ).toEqual(records);
  });
});
