import {
  derivedSpatialCypher,
  materialisedSpatialCypher,
  candidateImagesQuery,
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
    ['materialised behind, across images', materialisedSpatialCypher(false, 'behind')],
    ['derived, across images', derivedSpatialCypher(false)],
    [
      'search, three patterns',
      searchImagesQuery([
        { subject: 'dog', predicate: 'on' },
        { object: 'car', predicate: 'behind' },
        { subject: 'cup', predicate: 'beside', object: 'plate' },
      ]),
    ],
    ['search, a semantic predicate', searchImagesQuery([{ subject: 'person', predicate: 'holding' }])],
    ['relation candidates by subject and object', candidateImagesQuery({ subject: 'dog', object: 'car' })],
  ])('%s', (_name, cypher) => {
    expect(cypher).toMatchSnapshot();
  });

  it('pages across images through the (label, id) index in its order', () => {
    const q = materialisedSpatialCypher(false);
    expect(q).toContain('USING INDEX x:Object(label, id)');
    expect(q).toContain('ORDER BY x.label, x.id');
  });

  it('searches through the typed edges and their pair-key index, inverses read backwards', () => {
    const q = searchImagesQuery([{ subject: 'car', predicate: 'behind', object: 'person' }]);
    // car behind person = person IN_FRONT_OF car: the edge starts at the pattern's object.
    expect(q).toContain(
      'MATCH (o:Object)-[r:IN_FRONT_OF]->(s:Object) WHERE r.k = $patterns[0].keyOS AND r.score IS NOT NULL AND o.label = $patterns[0].object AND s.label = $patterns[0].subject',
    );
    // Edges without a score are in no (k, score) index: read in the images that have any.
    expect(q).toContain(
      'MATCH (i)-[:HAS_OBJECT]->(o:Object)-[r:IN_FRONT_OF]->(s:Object) WHERE r.score IS NULL AND o.label = $patterns[0].object AND s.label = $patterns[0].subject',
    );
    expect(q).not.toMatch(/\[r:RELATION\][^\n]*\n[^\n]*IN_FRONT_OF/);
  });

  it('ingest statements', () => {
    expect(CYPHER).toMatchSnapshot();
  });
});
