import { UserInputError } from '../../../src/errors/errors';
import { checkJsonDepth, parseJsonText } from '../../../src/scenegraph/jsonInput';
import { SCENE_LIMITS } from '../../../src/scenegraph/sceneLimits';
import { canonicalJson } from '../../../src/store/storedScene';

function fails(f: () => unknown): UserInputError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(UserInputError);
    return e as UserInputError;
  }
  throw new Error('did not throw');
}

function nested(n: number): unknown {
  let v: unknown = 1;
  for (let i = 0; i < n; i++) v = i % 2 ? [v] : { k: v };
  return v;
}

describe('checkJsonDepth', () => {
  it('accepts the limit and refuses one more, naming where', () => {
    expect(() => checkJsonDepth(nested(SCENE_LIMITS.maxJsonDepth))).not.toThrow();
    const e = fails(() => checkJsonDepth({ a: nested(SCENE_LIMITS.maxJsonDepth) }, 'input'));
    expect(e.path).toMatch(/^input\.a(\.k|\[0\])+/);
    expect(e.message).toMatch(/nested more than 32/);
  });

  it('handles 100,000 levels without recursion', () => {
    let v: unknown = 0;
    for (let i = 0; i < 100_000; i++) v = [v];
    expect(fails(() => checkJsonDepth(v, 'provenance')).path).toMatch(/^provenance\[0\]/);
  });
});

describe('canonicalJson', () => {
  it('sorts keys and refuses input nested past the limit as bad input, not a stack overflow', () => {
    expect(canonicalJson({ b: 1, a: [{ d: 2, c: 3 }] })).toBe('{"a":[{"c":3,"d":2}],"b":1}');
    let v: unknown = 0;
    for (let i = 0; i < 10_000; i++) v = [v];
    expect(fails(() => canonicalJson({ objects: v })).path).toMatch(/^input\.objects\[0\]/);
  });
});

describe('parseJsonText', () => {
  it('parses valid UTF-8 JSON with escaped names', () => {
    expect(parseJsonText(Buffer.from('{"a":{"b":[1,{"c":"é"}]},"d":"x\\"y"}'), 'f.json')).toEqual({
      a: { b: [1, { c: 'é' }] },
      d: 'x"y',
    });
  });

  it('refuses a repeated member name, also when one spelling is escaped, naming the member', () => {
    expect(fails(() => parseJsonText('{"a":1,"a":2}', 'f.json')).path).toBe('f.json at a');
    expect(fails(() => parseJsonText('{"o":[{"k":1},{"k":1,"\\u006b":2}]}', 'f.json')).path).toBe(
      'f.json at o[1].k',
    );
    // The same name in two objects, and as a value, is fine.
    expect(parseJsonText('{"a":{"a":"a"},"b":{"a":1}}', 'f.json')).toEqual({ a: { a: 'a' }, b: { a: 1 } });
  });

  it('refuses invalid UTF-8 with the offset, malformed JSON and deep nesting', () => {
    const bad = Buffer.concat([Buffer.from('{"a":"x'), Buffer.from([0xc3, 0x28]), Buffer.from('"}')]);
    expect(fails(() => parseJsonText(bad, 'f.json')).message).toMatch(/not valid UTF-8 .*offset 7/);
    expect(fails(() => parseJsonText('{"a":', 'f.json')).message).toMatch(/not valid JSON/);
    const deep = '{"p":' + '['.repeat(10_000) + ']'.repeat(10_000) + '}';
    expect(fails(() => parseJsonText(deep, 'f.json')).path).toMatch(/^f\.json at p(\[0\])+$/);
  });
});
