// The SQL verdict runs PostgreSQL's lexer and parser once per block: the meta-command check, the parse error
// and the statements all come from that one pass (it was two: splitSql, then parseStatements again).
// Counted on libpg-query itself; the verdicts are those verdict.test.ts pins.
import { beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';

const calls = vi.hoisted(() => ({ parse: 0, scan: 0 }));

vi.mock('libpg-query', async (importOriginal) => {
  const real = await importOriginal<typeof import('libpg-query')>();
  return {
    ...real,
    parseSync: (...args: Parameters<typeof real.parseSync>) => {
      calls.parse++;
      return real.parseSync(...args);
    },
    scanSync: (...args: Parameters<typeof real.scanSync>) => {
      calls.scan++;
      return real.scanSync(...args);
    },
  };
});

const { loadVerdictParsers } = await import('../../src/main/session/verdict.js');
const { sqlVerdictSync } = await import('../../src/main/session/verdict/sql.js');
const { parseStatements, splitSql } = await import('../../src/main/targets/postgres/sql-split.js');

beforeAll(loadVerdictParsers);
beforeEach(() => {
  calls.parse = 0;
  calls.scan = 0;
});

describe('the SQL verdict parses a block once', () => {
  it.each([
    ['read-only', 'SELECT 1;\nSELECT now()', false, 'sql-read-only'],
    ['writing', 'SELECT 1;\nDELETE FROM t WHERE id = <ID>', true, 'sql-writes'],
    ['a psql meta-command', 'SELECT 1 \\gset', true, 'sql-meta-command'],
    ['text that does not parse', 'SELEC 1', true, 'sql-parse-error'],
    ['a lexer error', "SELECT 'unterminated", true, 'sql-parse-error'],
  ])('%s: one scan, one parse, the same verdict', (_what, code, changesState, verdictCode) => {
    expect(sqlVerdictSync(code)).toMatchObject({ changesState, code: verdictCode });
    expect(calls.scan).toBeLessThanOrEqual(1);
    expect(calls.parse).toBe(1);
  });

  it('control: the counters see the grammar\'s calls from sql-split (where both the verdict and the executor parse)', () => {
    expect(parseStatements('SELECT 1; SELECT 2').ok).toBe(true);
    expect(splitSql('SELECT 1').statements).toHaveLength(1);
    expect(calls).toEqual({ parse: 2, scan: 2 });
  });
});
