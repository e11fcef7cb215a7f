// RRULE expansion throughput of @lifeline/recurrence, beside plain rrule.js on the same rule text in the same run.
//   npm run bench:rrule
// Prints occurrences/s (median of several samples; each sample parses the text and expands the whole window,
// as the recurring app does) for (a) a 20-year daily series and (b) a monthly BYSETPOS rule over 20 years.
// Baselines: rrule.js between() with the TZID (its own zone handling, which depends on the process TZ and gets
// DST gaps wrong) and rrule.js between() on the floating rule (no zone work at all: the floor of our cost).
import rrulePackage from 'rrule';
import { occurrencesBetween, parseRecurrence } from '@lifeline/recurrence';
import { percentile, printTable } from './stats.ts';

const { rrulestr } = rrulePackage;
const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 5);
const SAMPLE_MS = Number(process.env.BENCH_SAMPLE_MS ?? 250);

interface Case {
  name: string;
  text: string;
  from: Date;
  to: Date;
}

const cases: Case[] = [
  {
    name: 'daily, 20 years',
    text: 'DTSTART;TZID=Europe/Berlin:20260101T080000\nRRULE:FREQ=DAILY',
    from: new Date('2026-01-01T00:00:00Z'),
    to: new Date('2046-01-01T00:00:00Z'),
  },
  {
    name: 'monthly last workday (BYSETPOS=-1), 20 years',
    text: 'DTSTART;TZID=Europe/Berlin:20260130T080000\nRRULE:FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1',
    from: new Date('2026-01-01T00:00:00Z'),
    to: new Date('2046-01-01T00:00:00Z'),
  },
];

type Expand = (c: Case) => number;

const implementations: Array<{ name: string; expand: Expand }> = [
  {
    name: '@lifeline/recurrence occurrencesBetween()',
    expand: (c) => {
      const parsed = parseRecurrence(c.text);
      if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
      return occurrencesBetween(parsed.rule, c.from, c.to, 1_000_000).length;
    },
  },
  { name: 'baseline: rrule.js between(), TZID', expand: (c) => rrulestr(c.text).between(c.from, c.to, true).length },
  {
    name: 'baseline: rrule.js between(), floating',
    expand: (c) => rrulestr(c.text.replace(/;TZID=[^:]+:/, ':')).between(c.from, c.to, true).length,
  },
];

/** Occurrences per second over one sample: whole expansions repeated until SAMPLE_MS have passed. */
function sample(expand: Expand, c: Case): { rate: number; count: number } {
  let occurrences = 0;
  let count = 0;
  const started = performance.now();
  let elapsed = 0;
  do {
    count = expand(c);
    occurrences += count;
    elapsed = performance.now() - started;
  } while (elapsed < SAMPLE_MS);
  return { rate: occurrences / (elapsed / 1000), count };
}

const rows: Record<string, string | number>[] = [];
for (const c of cases) {
  let baseline = Number.NaN;
  for (const impl of implementations) {
    sample(impl.expand, c); // warm-up: JIT and the zone clock's first offsets
    const samples = Array.from({ length: SAMPLES }, () => sample(impl.expand, c));
    const median = percentile(
      samples.map((s) => s.rate),
      50,
    );
    if (impl.name.includes('TZID')) baseline = median;
    rows.push({
      case: c.name,
      implementation: impl.name,
      occurrences: samples[0]?.count ?? 0,
      'occurrences/s (median)': Math.round(median),
      'vs rrule.js TZID': Number.isNaN(baseline) ? '' : `${(median / baseline).toFixed(2)}x`,
    });
  }
  // Ours runs before the TZID baseline is known: fill its ratio in now.
  const ours = rows.find((r) => r.case === c.name && String(r.implementation).startsWith('@lifeline'));
  if (ours) ours['vs rrule.js TZID'] = `${(Number(ours['occurrences/s (median)']) / baseline).toFixed(2)}x`;
}

printTable(`RRULE expansion, ${SAMPLES} samples of ${SAMPLE_MS} ms each (process TZ=${Intl.DateTimeFormat().resolvedOptions().timeZone})`, rows);
