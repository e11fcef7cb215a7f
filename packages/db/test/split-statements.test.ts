import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { splitStatements } from '../src/migrate/split-statements.ts';

describe('splitStatements', () => {
  it('when statements end with semicolons, then each becomes one entry without its semicolon', () => {
    assert.deepEqual(splitStatements('SELECT 1;\nSELECT 2;\n'), ['SELECT 1', 'SELECT 2']);
  });

  it('when the last statement has no semicolon, then it is still returned', () => {
    assert.deepEqual(splitStatements('SELECT 1; SELECT 2'), ['SELECT 1', 'SELECT 2']);
  });

  it('when semicolons appear in strings, identifiers and comments, then they do not split', () => {
    const script = [
      "INSERT INTO t VALUES ('a;b', 'it''s;', E'x\\';y');",
      'CREATE TABLE "we;ird" (id int); -- trailing; comment',
      '/* block; /* nested; */ still; */ SELECT 3;',
    ].join('\n');
    assert.deepEqual(splitStatements(script), [
      "INSERT INTO t VALUES ('a;b', 'it''s;', E'x\\';y')",
      'CREATE TABLE "we;ird" (id int)',
      '-- trailing; comment\n/* block; /* nested; */ still; */ SELECT 3',
    ]);
  });

  it('when a function body is dollar-quoted, then its inner semicolons do not split', () => {
    const fn = 'CREATE FUNCTION f() RETURNS int AS $body$ BEGIN RETURN 1; END; $body$ LANGUAGE plpgsql';
    const anon = 'DO $$ BEGIN PERFORM 1; END $$';
    assert.deepEqual(splitStatements(`${fn};\n${anon};`), [fn, anon]);
  });

  it('when a chunk holds only comments or whitespace, then it is dropped', () => {
    assert.deepEqual(splitStatements('-- lifeline:no-transaction\n-- note\nSELECT 1;\n-- end\n'), [
      '-- lifeline:no-transaction\n-- note\nSELECT 1',
    ]);
  });

  it('when $1-style text appears outside a dollar quote, then it is not taken for one', () => {
    assert.deepEqual(splitStatements('PREPARE p AS SELECT $1; SELECT 2;'), ['PREPARE p AS SELECT $1', 'SELECT 2']);
  });
});
