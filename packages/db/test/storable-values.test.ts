// Property tests of the platform's shared input rules against real Postgres: whatever the contracts' text and
// instant schemas accept must be storable and come back exactly as sent (text, jsonb and timestamptz), so a
// value that passed validation can never fail deep inside a write or a later read (issue 10).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import type pg from 'pg';
import { INSTANT_MAX, INSTANT_MIN, isoDateTime, text } from '@lifeline/contracts';
import { admin, dropSchema, uniqueSchema } from '../src/test-database.ts';

const RUNS = 300;

describe('shared schemas against real Postgres', () => {
  const schema = uniqueSchema('storable');

  before(async () => {
    await admin((c) => c.query(`CREATE SCHEMA "${schema}"; CREATE TABLE "${schema}".vals (id serial PRIMARY KEY, t text, j jsonb, ts timestamptz(3))`));
  });
  after(async () => {
    await dropSchema(schema);
  });

  /** Stores the value through the same driver the apps use; resolves to what Postgres gives back, or rejects. */
  async function roundTrip(client: pg.Client, value: string): Promise<{ t: string; j: string }> {
    const { rows } = await client.query<{ t: string; j: { v: string } }>(
      `INSERT INTO "${schema}".vals (t, j) VALUES ($1, $2::jsonb) RETURNING t, j`,
      [value, JSON.stringify({ v: value })],
    );
    const row = rows[0];
    if (!row) throw new Error('no row');
    return { t: row.t, j: row.j.v };
  }

  it('when a string passes text(), then text and jsonb columns store it and return it unchanged; when it fails, it holds NUL or a lone surrogate', async () => {
    const schemaText = text().max(5000);
    await admin(async (client) => {
      await fc.assert(
        fc.asyncProperty(
          // Every UTF-16 code unit, surrogate halves and NUL included, mixed with whole code points.
          fc.oneof(fc.string({ unit: 'binary', maxLength: 40 }), fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((n) => String.fromCharCode(n)), maxLength: 40 })),
          async (value) => {
            if (schemaText.safeParse(value).success) {
              assert.deepEqual(await roundTrip(client, value), { t: value, j: value });
            } else {
              assert.ok(value.includes('\u0000') || !isWellFormed(value), `refused without cause: ${JSON.stringify(value)}`);
            }
          },
        ),
        { numRuns: RUNS },
      );
    });
  });

  it('when an instant passes isoDateTime, then timestamptz stores it and gives back the same instant, printable as RFC 3339 again', async () => {
    const min = Date.parse(INSTANT_MIN) - 2 * 86_400_000;
    const max = Date.parse(INSTANT_MAX) + 2 * 86_400_000;
    const offset = fc.oneof(
      fc.constant('Z'),
      fc.tuple(fc.constantFrom('+', '-'), fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 })).map(([s, h, m]) => `${s}${pad(h)}:${pad(m)}`),
    );
    // Written in any offset and precision; the instants straddle both ends of the window.
    const written = fc
      .tuple(fc.oneof(fc.integer({ min, max }), fc.integer({ min: -62_198_755_200_000, max: 253_402_300_799_999 + 86_400_000 * 400 })), offset, fc.integer({ min: 0, max: 3 }))
      .map(([ms, off, digits]) => writeInstant(ms, off, digits))
      .filter((s): s is string => s !== undefined);
    await admin(async (client) => {
      await fc.assert(
        fc.asyncProperty(written, async (value) => {
          if (!isoDateTime.safeParse(value).success) return;
          const { rows } = await client.query<{ ts: Date }>(`INSERT INTO "${schema}".vals (ts) VALUES ($1::timestamptz) RETURNING ts`, [value]);
          const back = rows[0]?.ts;
          assert.ok(back instanceof Date && !Number.isNaN(back.getTime()), value);
          assert.equal(back.getTime(), Date.parse(value), value);
          assert.ok(isoDateTime.safeParse(back.toISOString()).success, `${value} read back as ${back.toISOString()}`);
        }),
        { numRuns: RUNS },
      );
    });
  });

  it('when the window edges are written, then the schema draws the line where documented', () => {
    for (const ok of [INSTANT_MIN, INSTANT_MAX, '1900-01-01T00:00:00Z', '9999-12-31T23:59:59Z', '2024-02-29T12:00:00+14:00']) assert.ok(isoDateTime.safeParse(ok).success, ok);
    for (const bad of ['0000-01-01T00:00:00Z', '1899-12-31T23:59:59.999Z', '1900-01-01T00:30:00+01:00', '9999-12-31T23:00:00-05:00', '2023-02-29T00:00:00Z', '2026-12-03T10:00:00']) {
      assert.ok(!isoDateTime.safeParse(bad).success, bad);
    }
  });
});

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

/** The UTC instant `ms` written with the given offset and fraction digits; undefined where the written year has no 4 digits. */
function writeInstant(ms: number, offset: string, digits: number): string | undefined {
  const offMin = offset === 'Z' ? 0 : (offset.startsWith('-') ? -1 : 1) * (Number(offset.slice(1, 3)) * 60 + Number(offset.slice(4, 6)));
  const local = new Date(ms + offMin * 60_000);
  const year = local.getUTCFullYear();
  if (year < 0 || year > 9999) return undefined;
  const fraction = digits === 0 ? '' : `.${pad(local.getUTCMilliseconds(), 3).slice(0, digits)}`;
  const exact = digits === 3 || local.getUTCMilliseconds() % 10 ** (3 - digits) === 0;
  if (!exact) return undefined;
  return `${pad(year, 4)}-${pad(local.getUTCMonth() + 1)}-${pad(local.getUTCDate())}T${pad(local.getUTCHours())}:${pad(local.getUTCMinutes())}:${pad(local.getUTCSeconds())}${fraction}${offset}`;
}

function isWellFormed(value: string): boolean {
  return !/\p{Cs}/u.test(value);
}
