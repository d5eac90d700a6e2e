/**
 * Where the observer's per-event cost goes: a C loop (call-loop) pinned to one CPU calls
 * write(), getppid(), a TCP send or the app's marker a million times, with the observer on the
 * other CPU loading the real object or one stopped after a part of each program
 * (observer.bpf.c's STOP_AFTER), attached to the loop (target) or to another process
 * (non-target: what every other process on the host pays). Every variant runs once a round,
 * in turn, for several rounds; the nanoseconds per call are medians, and the cost of a
 * variant is its median less the median with nothing attached.
 *
 *   npm run bench:probe-cost -- [--runs 5] [--calls 1000000] [--only NAME,...] [--json]
 */
import path from 'node:path';
import { median, pin, scrape, sumOf } from '@obscost/measure';
import { MARKER_SYMBOLS } from '@obscost/events';
import { choiceListRule, setting } from '@obscost/flags';
import { ROOT, startObserver, type RunningObserver } from '@obscost/infra';
import { startChild, waitFor, type Child } from '@obscost/process';
import { VARIANTS, type Call, type Variant } from './probe-variants.js';
import { benchmarkFlags, flag } from './settings.js';

const CALL_LOOP = path.join(ROOT, 'services/observer/native/build/call-loop');
const MARKER_LIBRARY = path.join(ROOT, 'services/app/native/build/libappmarker.so');

const NAMES = VARIANTS.map((v) => v.name);

const values = benchmarkFlags('bench:probe-cost', "Where the observer's per-event cost goes.", {
  runs: flag.runs(5),
  calls: flag.count('calls', 1_000_000, 'calls of the loop per run'),
  only: setting.custom({
    flag: 'only',
    placeholder: 'LIST',
    default: NAMES.join(','),
    help: `the variants to run, comma-separated (each call's "nothing attached" always runs): ${NAMES.join(', ')}`,
    parse: (text, name) => choiceListRule(name, text, NAMES, 'variant'),
  }),
  bpfObject: setting.path({
    flag: 'bpf-object',
    placeholder: 'FILE',
    help: "the object the variants that run whole programs load (default the observer's): an older build gives the before figures",
  }),
  json: setting.switch({ flag: 'json', help: 'print the results as JSON' }),
});

const [loopCpu, observerCpu] = [1, 0];
const wanted = VARIANTS.filter(
  (v) =>
    values.only.includes(v.name) ||
    (v.observer === undefined &&
      values.only.some((n) => VARIANTS.find((w) => w.name === n)?.call === v.call)),
);

/** Why this kernel refuses the fexit write probe, or undefined when it loads it. */
async function fexitRefusal(): Promise<string | undefined> {
  const args = ['--no-kafka', '--pid', String(process.pid), '--probes', 'write'];
  try {
    await (await startObserver([...args, '--write-probe', 'fexit'])).stop();
    return undefined;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}

const refused = wanted.some((v) => v.fexit === true) ? await fexitRefusal() : undefined;
const chosen = refused === undefined ? wanted : wanted.filter((v) => v.fexit !== true);

function callLoop(call: Call): Child {
  const marker = call === 'marker' ? MARKER_SYMBOLS.nop5 : MARKER_SYMBOLS.plain;
  const args = [call.endsWith('marker') ? 'marker' : call, String(values.calls), String(loopCpu)];
  if (call.endsWith('marker')) args.push(MARKER_LIBRARY, marker);
  return startChild(CALL_LOOP, args, { stdin: 'pipe' });
}

/** One run of one variant: nanoseconds per call, and events the kernel dropped. */
async function measure(variant: Variant): Promise<{ ns: number; drops: number }> {
  const loop = callLoop(variant.call);
  const bystander = startChild('sleep', ['600']);
  let observer: RunningObserver | undefined;
  try {
    await waitFor('the loop to start', () => loop.pid !== undefined && bystander.pid !== undefined);
    if (variant.observer !== undefined) {
      const pid = variant.target === true ? loop.pid : bystander.pid;
      const object =
        values.bpfObject === undefined || variant.observer.includes('--bpf-object')
          ? []
          : ['--bpf-object', values.bpfObject];
      observer = await startObserver([
        ...['--no-kafka', '--pid', String(pid), ...object],
        ...variant.observer,
      ]);
      await pin(observer.pid ?? 0, [observerCpu]);
    }
    loop.process.stdin?.end('go\n');
    const code = await loop.exited;
    if (code !== 0) throw new Error(`call-loop ${variant.call} failed: ${loop.output()}`);
    const drops = observer === undefined ? 0 : await kernelDrops(observer);
    return { ns: Number(loop.stdout().trim()), drops };
  } finally {
    await observer?.stop();
    await loop.stop();
    await bystander.stop();
  }
}

async function kernelDrops(observer: RunningObserver): Promise<number> {
  return sumOf(await scrape(observer.url), 'observer_kernel_drops_total');
}

const tty = process.stderr.isTTY && !values.json;
const runs = new Map<string, number[]>(chosen.map((v) => [v.name, []]));
let drops = 0;
for (let round = 1; round <= values.runs; round++) {
  for (const variant of chosen) {
    if (tty) process.stderr.write(`\r\x1b[2K  round ${round}/${values.runs}: ${variant.name}`);
    const result = await measure(variant);
    runs.get(variant.name)?.push(result.ns);
    drops += result.drops;
  }
}
if (tty) process.stderr.write('\r\x1b[2K');

const rows = chosen.map((variant) => {
  const ns = median(runs.get(variant.name) ?? []);
  const nothing = chosen.find((v) => v.call === variant.call && v.observer === undefined);
  const base = median(runs.get(nothing?.name ?? '') ?? []);
  return {
    name: variant.name,
    call: variant.call,
    attached: variant.what,
    ns_median: ns,
    ns_added: ns - base,
    runs: runs.get(variant.name) ?? [],
  };
});

if (values.json) {
  process.stdout.write(
    `${JSON.stringify({ calls: values.calls, kernel_drops: drops, fexit_refused: refused ?? null, variants: rows }, null, 2)}\n`,
  );
} else {
  process.stdout.write(
    `${values.calls.toLocaleString('en-US')} calls a run, ${values.runs} runs of each variant in turn; loop on CPU ${loopCpu}, observer on CPU ${observerCpu}\n`,
  );
  const width = Math.max(...rows.map((r) => r.attached.length));
  let call = '';
  for (const r of rows) {
    if (r.call !== call) {
      call = r.call;
      process.stdout.write(`\n${call}()\n`);
    }
    process.stdout.write(
      `  ${r.attached.padEnd(width)}  ${r.ns_median.toFixed(0).padStart(6)} ns  ${r.ns_added === 0 ? '' : `${r.ns_added > 0 ? '+' : ''}${r.ns_added.toFixed(0)} ns`.padStart(8)}   runs: ${r.runs.map((n) => n.toFixed(0)).join(' ')}\n`,
    );
  }
  if (drops > 0)
    process.stdout.write(
      `\nthe kernel dropped ${drops} events: the ring buffer was full, the figures are too low\n`,
    );
  if (refused !== undefined) {
    process.stdout.write(
      `\nthe fexit variants are left out: this kernel refuses them (${refused})\n`,
    );
  }
}
