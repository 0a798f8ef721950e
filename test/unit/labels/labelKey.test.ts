import { LABEL_KEY_SPAN, labelKey } from '../../../src/labels/labelKey';
import { pairKey, pairKeyRange } from '../../../src/store/relationModel';

describe('label and pair keys', () => {
  it('is FNV-1a over the UTF-8 bytes, cut to 26 bits', () => {
    // FNV-1a 32-bit of "a" is 0xe40c292c; of "" the offset basis 0x811c9dc5.
    expect(labelKey('a')).toBe(0xe40c292c % LABEL_KEY_SPAN);
    expect(labelKey('')).toBe(0x811c9dc5 % LABEL_KEY_SPAN);
    // Bytes, not UTF-16 code units: "é" is two bytes (0xc3 0xa9).
    expect(labelKey('é')).not.toBe(labelKey('\u00e9'.normalize('NFD')));
    expect(labelKey('traffic light')).toBe(labelKey('traffic light'));
  });

  it('puts every pair key of a subject label in that label range, within safe integers', () => {
    const labels = ['person', 'car', 'traffic light', 'cafe\u0301', '\u{1F436}', 'x'.repeat(200)];
    for (const s of labels) {
      const [from, to] = pairKeyRange(s);
      expect(to - from).toBe(LABEL_KEY_SPAN);
      for (const o of labels) {
        const k = pairKey(s, o);
        expect(Number.isSafeInteger(k)).toBe(true);
        expect(k >= from && k < to).toBe(true);
        expect(k - from).toBe(labelKey(o));
      }
    }
  });

  it('tells the pair order apart', () => {
    expect(pairKey('person', 'car')).not.toBe(pairKey('car', 'person'));
  });
});
