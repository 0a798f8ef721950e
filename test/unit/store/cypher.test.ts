import {
  derivedSpatialCypher,
  materialisedSpatialCypher,
  relationsQuery,
  searchImagesQuery,
} from '../../../src/store/search.store';
import { CYPHER } from '../../../src/store/ingest.store';

/**
 * The generated Cypher, snapshotted: a change in a query's shape (and so possibly in its plan, see
 * BENCHMARKS.md) shows as a diff in review. Update with `npx jest -u` after checking the plan.
 */
describe('generated Cypher', () => {
  it.each([
    ['materialised, across images', materialisedSpatialCypher(false)],
    ['materialised, one image', materialisedSpatialCypher(true)],
    ['derived, across images', derivedSpatialCypher(false)],
    ['search, two patterns', searchImagesQuery([{ subject: 'dog', predicate: 'on' }, { object: 'car' }])],
    ['relations by subject and predicate', relationsQuery({ subject: 'dog', predicate: 'on' })],
  ])('%s', (_name, cypher) => {
    expect(cypher).toMatchSnapshot();
  });

  it('pages across images through the (label, id) index in its order', () => {
    const q = materialisedSpatialCypher(false);
    expect(q).toContain('USING INDEX x:Object(label, id)');
    expect(q).toContain('ORDER BY x.label, x.id');
  });

  it('ingest statements', () => {
    expect(CYPHER).toMatchSnapshot();
  });
});
