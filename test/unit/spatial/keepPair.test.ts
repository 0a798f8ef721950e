/**
 * A derivation restricted to some pairs (relationsFromStoredGeometry's keepPair, used by searchImages
 * to derive only the pairs its patterns can join) gives exactly the full derivation's relations of
 * those pairs.
 */
import { builtScene } from '../../../bench/storeData';
import { relationsFromStoredGeometry } from '../../../src/spatial/engine';
import { patternsMayJoin } from '../../../src/store/search.store';

describe('relationsFromStoredGeometry keepPair', () => {
  it.each([1, 2, 3])('equals the full derivation filtered to the kept pairs (scene %i)', (i) => {
    const g = builtScene(i);
    const all = relationsFromStoredGeometry(g.image, g.objects);
    expect(all.length).toBeGreaterThan(100);
    const label = new Map(g.objects.map((o) => [o.key, o.label]));
    const [l1, l2] = [...new Set(g.objects.map((o) => o.label))];
    const keep = (a: string, b: string) => label.get(a) === l1 || label.get(b) === l1 || label.get(a) === l2;
    const some = relationsFromStoredGeometry(g.image, g.objects, { keepPair: keep });
    const want = all.filter((r) => keep(r.subject, r.object) || keep(r.object, r.subject));
    expect(some.length).toBeGreaterThan(0);
    expect(some.length).toBeLessThan(all.length);
    expect(some).toEqual(want);
  });
});

describe('patternsMayJoin', () => {
  it('keeps a pair that some pattern can match either way, with missing labels matching any', () => {
    const p = [{ subject: 'person', predicate: 'in front of', object: 'car' }];
    expect(patternsMayJoin(p, 'person', 'car')).toBe(true);
    expect(patternsMayJoin(p, 'car', 'person')).toBe(true);
    expect(patternsMayJoin(p, 'person', 'dog')).toBe(false);
    expect(patternsMayJoin([{ subject: 'person', predicate: 'left of' }], 'dog', 'person')).toBe(true);
    expect(patternsMayJoin([{ subject: 'person', predicate: 'left of' }], 'dog', 'cat')).toBe(false);
    expect(patternsMayJoin([{ predicate: 'on' }], 'dog', 'cat')).toBe(true);
    expect(patternsMayJoin([...p, { object: 'cat' }], 'dog', 'cat')).toBe(true);
  });
});
