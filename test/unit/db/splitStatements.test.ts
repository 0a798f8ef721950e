import { splitStatements } from '../../../src/db/migrations';

describe('splitStatements', () => {
  it('splits on line-ending semicolons and drops comment lines', () => {
    const text =
      '// header\nCREATE INDEX a IF NOT EXISTS FOR (n:A) ON (n.x);\n\nCREATE CONSTRAINT b IF NOT EXISTS\n  FOR (n:B) REQUIRE n.id IS UNIQUE;\n';
    expect(splitStatements(text)).toEqual([
      'CREATE INDEX a IF NOT EXISTS FOR (n:A) ON (n.x)',
      'CREATE CONSTRAINT b IF NOT EXISTS\n  FOR (n:B) REQUIRE n.id IS UNIQUE',
    ]);
  });

  it('keeps semicolons inside a line (string literals)', () => {
    expect(splitStatements("RETURN 'a;b' AS x;")).toEqual(["RETURN 'a;b' AS x"]);
  });
});
