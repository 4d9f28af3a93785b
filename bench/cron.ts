/**
 * Cron benchmark: `BENCH_BASELINE=93771c6 node --import tsx bench/cron.ts`. Prints figures, asserts nothing.
 *
 * Parsing and next-fire times of `src/core/cron.ts`, measured in the same run for the current code, for
 * the code of `BENCH_BASELINE` (bench/baseline.ts) and for croner (the library considered to replace it;
 * docs/ARCHITECTURE.md says why it did not). Each figure is the median of BENCH_RUNS (default 5) timed
 * runs after one warm-up run, the three sides alternating; ratios are printed against the baseline.
 */
import { Cron } from 'croner';
import * as current from '../src/core/cron.ts';
import { baselineCheckout, speedup } from './baseline.ts';

type CronModule = Pick<typeof current, 'parseCron' | 'nextCronTime'>;

const RUNS = Math.max(1, Number(process.env.BENCH_RUNS ?? 5));
const PARSES = Number(process.env.BENCH_CRON_PARSES ?? 20_000);
const FIRES = Number(process.env.BENCH_CRON_FIRES ?? 2_000);

/** Schedules a flow would declare, each in the zones we support (UTC, a fixed offset, an IANA zone). */
const EXPRESSIONS = [
  '0 3 * * *',
  '*/15 9-17 * * mon-fri',
  '0 0 13 * fri',
  '@hourly',
  '30 2 * * *',
  '0 12 29 2 *',
];
const ZONES = ['UTC', '+02:00', 'America/New_York'];
const START = new Date('2024-01-01T00:00:00Z');

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function time(fn: () => void): number {
  const start = performance.now();
  fn();
  return performance.now() - start;
}

interface Side {
  label: string;
  parse(): void;
  fire(): void;
}

function ours(label: string, mod: CronModule): Side {
  return {
    label,
    parse() {
      for (let i = 0; i < PARSES; i++) mod.parseCron(EXPRESSIONS[i % EXPRESSIONS.length]!);
    },
    fire() {
      for (const expression of EXPRESSIONS) {
        const cron = mod.parseCron(expression);
        for (const zone of ZONES) {
          let at = START;
          for (let i = 0; i < FIRES; i++) at = mod.nextCronTime(cron, at, zone);
        }
      }
    },
  };
}

function offsetMinutes(zone: string): number | undefined {
  const fixed = /^([+-])(\d{2}):(\d{2})$/.exec(zone);
  return fixed ? (fixed[1] === '-' ? -1 : 1) * (Number(fixed[2]) * 60 + Number(fixed[3])) : undefined;
}

const croner: Side = {
  label: 'croner',
  parse() {
    for (let i = 0; i < PARSES; i++) new Cron(EXPRESSIONS[i % EXPRESSIONS.length]!, { mode: '5-part' });
  },
  fire() {
    for (const expression of EXPRESSIONS) {
      for (const zone of ZONES) {
        const utcOffset = offsetMinutes(zone);
        const job = new Cron(expression, {
          mode: '5-part',
          ...(utcOffset === undefined ? { timezone: zone } : { utcOffset }),
        });
        let at: Date = START;
        for (let i = 0; i < FIRES; i++) at = job.nextRun(at)!;
      }
    }
  },
};

async function main(): Promise<void> {
  const checkout = baselineCheckout();
  const sides: Side[] = [ours('current', current)];
  if (checkout)
    sides.push(ours(checkout.label, (await import(`${checkout.dir}/src/core/cron.ts`)) as CronModule));
  sides.push(croner);
  const parse = new Map<string, number[]>(sides.map((s) => [s.label, []]));
  const fire = new Map<string, number[]>(sides.map((s) => [s.label, []]));
  for (let run = 0; run <= RUNS; run++) {
    const order = run % 2 === 0 ? sides : [...sides].reverse();
    for (const side of order) {
      const p = time(() => side.parse());
      const f = time(() => side.fire());
      if (run > 0) {
        parse.get(side.label)!.push(p);
        fire.get(side.label)!.push(f);
      }
    }
  }
  const fires = EXPRESSIONS.length * ZONES.length * FIRES;
  console.log(
    `node ${process.version}; ${PARSES} parses, ${fires} next-fire times (${EXPRESSIONS.length} expressions × ${ZONES.join(', ')}); median of ${RUNS}\n`,
  );
  const reference = checkout?.label;
  const result: Record<string, { parseMs: number; fireMs: number; usPerFire: number }> = {};
  for (const side of sides) {
    const p = median(parse.get(side.label)!);
    const f = median(fire.get(side.label)!);
    result[side.label] = {
      parseMs: Number(p.toFixed(1)),
      fireMs: Number(f.toFixed(1)),
      usPerFire: Number(((f * 1000) / fires).toFixed(2)),
    };
    const vs =
      reference && side.label !== reference
        ? `  parse ${speedup(median(parse.get(reference)!), p, reference)}, next-fire ${speedup(median(fire.get(reference)!), f, reference)}`
        : '';
    console.log(
      `${side.label.padEnd(8)} parse ${p.toFixed(1)} ms, next-fire ${f.toFixed(1)} ms (${result[side.label]!.usPerFire} µs each)${vs}`,
    );
  }
  console.log();
  console.log(JSON.stringify({ bench: 'cron', node: process.version, runs: RUNS, result }));
}

await main();
