import path from 'node:path';
import {
  choiceListRule,
  durationRule,
  integerRule,
  parseSettings,
  positiveIntegerRule,
  positiveNumberRule,
  setting,
  SettingError,
  usageText,
  type SettingValues,
} from '@obscost/flags';
import { ROOT } from '@obscost/infra';
import { DEFAULT_CONFIDENCE, DEFAULT_TOLERANCE } from '@obscost/measure';
import { RunError } from './errors.js';
import { withServiceConfig } from './service-config.js';
import { SERVICE_SETTINGS, serviceSpecOf, type ServiceSpec } from './service-settings.js';
import { SCENARIO_NAMES, type ScenarioName } from '@obscost/report';

/** A comma-separated list of scenarios; baseline is added first when not named. */
function scenariosRule(name: string, text: string): ScenarioName[] {
  const chosen = new Set(['baseline', ...choiceListRule(name, text, SCENARIO_NAMES, 'scenario')]);
  return SCENARIO_NAMES.filter((s) => chosen.has(s));
}

/** A comma-separated list of CPU numbers, e.g. 1 or 0,2-3. */
export function cpuListRule(name: string, text: string): number[] {
  const cpus = new Set<number>();
  for (const part of text.split(',')) {
    const match = /^(\d+)(?:-(\d+))?$/.exec(part.trim());
    if (match === null) {
      throw new SettingError(`${name} must list CPUs such as 1 or 0,2-3, got "${text}"`);
    }
    const first = integerRule(name, match[1] ?? '', 0, 4095);
    const last = integerRule(name, match[2] ?? match[1] ?? '', first, 4095);
    for (let cpu = first; cpu <= last; cpu++) cpus.add(cpu);
  }
  return [...cpus].sort((a, b) => a - b);
}

/** A number strictly between 0 and 1, such as a confidence or a share. */
function fractionRule(name: string, text: string): number {
  const value = positiveNumberRule(name, text);
  if (value >= 1) throw new SettingError(`${name} must be below 1, got "${text}"`);
  return value;
}

/** The main job's flags (`npm start -- ...`): docs/infrastructure.md. */
export const SETTINGS = {
  scenarios: setting.custom({
    flag: 'scenarios',
    placeholder: 'LIST',
    default: SCENARIO_NAMES.join(','),
    help: `the scenarios to compare, comma-separated: ${SCENARIO_NAMES.join(', ')}; baseline always runs`,
    parse: (text: string, name: string) => scenariosRule(name, text),
  }),
  durationMs: setting.custom({
    flag: 'dur',
    placeholder: 'D',
    default: '8s',
    help: 'the open-model run, where the cost a request is measured, e.g. 500ms, 20s',
    parse: (text: string, name: string) => durationRule(name, text),
  }),
  capacityMs: setting.custom({
    flag: 'capacity-dur',
    placeholder: 'D',
    default: '3s',
    help: 'the closed-model run, where the capacity is measured; never longer than --dur',
    parse: (text: string, name: string) => durationRule(name, text),
  }),
  warmupMs: setting.custom({
    flag: 'warmup',
    placeholder: 'D',
    default: '1s',
    help: 'load before measuring, on every fresh app; 0s for none',
    parse: (text: string, name: string) => durationRule(name, text, { zero: true }),
  }),
  conns: setting.custom({
    flag: 'conns',
    placeholder: 'N',
    default: '50',
    help: "the load generator's concurrent connections",
    parse: (text: string, name: string) => positiveIntegerRule(name, text),
  }),
  rate: setting.positiveNumber({
    flag: 'rate',
    placeholder: 'R',
    help: "the open-model run's requests per second, the same for every scenario (default: --rate-fraction of the baseline's capacity in round 1)",
  }),
  productionRate: setting.positiveNumber({
    flag: 'production-rate',
    placeholder: 'R',
    help: "also give each approach's cost as CPU cores at R req/s: on the service's host, and in its pipeline",
  }),
  rateFraction: setting.custom({
    flag: 'rate-fraction',
    placeholder: 'F',
    default: '0.25',
    help: "the open-model rate as a fraction of the first baseline's capacity, when --rate is not given",
    parse: (text: string, name: string) => {
      const value = positiveNumberRule(name, text);
      if (value > 1) throw new SettingError(`${name} must be at most 1, got "${text}"`);
      return value;
    },
  }),
  repeat: setting.integer({
    flag: 'repeat',
    placeholder: 'K',
    min: 1,
    max: 100,
    help: 'exactly K rounds; each runs every scenario in turn (A B C A B C ...) (default: --min-rounds, then more until the answer is known)',
  }),
  minRounds: setting.integer({
    flag: 'min-rounds',
    placeholder: 'N',
    default: '5',
    min: 2,
    max: 100,
    help: 'the rounds always run when --repeat is not given',
  }),
  target: setting.custom({
    flag: 'target',
    placeholder: 'W',
    default: String(DEFAULT_TOLERANCE),
    help: 'more rounds until every headline interval is within ±W of its estimate (0.03: ±3 percentage points)',
    parse: (text: string, name: string) => fractionRule(name, text),
  }),
  budgetMs: setting.custom({
    flag: 'budget',
    placeholder: 'D',
    default: '10m',
    help: "after --min-rounds, no round starts that would end, at the rounds' average length, past this time from the start",
    parse: (text: string, name: string) => durationRule(name, text),
  }),
  confidence: setting.custom({
    flag: 'confidence',
    placeholder: 'C',
    default: String(DEFAULT_CONFIDENCE),
    help: "each interval's confidence",
    parse: (text: string, name: string) => fractionRule(name, text),
  }),
  maxForeign: setting.custom({
    flag: 'max-foreign',
    placeholder: 'F',
    default: '0.05',
    help: "a run whose foreign load is above this share of the app's CPUs is set aside and run again (twice at most)",
    parse: (text: string, name: string) => fractionRule(name, text),
  }),
  calibrationUs: setting.integer({
    flag: 'calibration-us',
    placeholder: 'N',
    min: 1,
    max: 100_000,
    help: "the calibration's known cost, µs of CPU a request (default: a tenth of the baseline's app µs a request in round 1)",
  }),
  noControls: setting.switch({
    flag: 'no-controls',
    help: 'no A/A baseline and no calibration: quicker, and the run does not check itself',
  }),
  path: setting.custom({
    flag: 'path',
    placeholder: 'PATH',
    default: '/ping',
    help: "the app's route the load requests",
    parse: (text: string, name: string) => {
      if (!text.startsWith('/')) throw new SettingError(`${name} must start with /, got "${text}"`);
      return text;
    },
  }),
  appCpus: setting.custom({
    flag: 'app-cpus',
    placeholder: 'LIST',
    help: 'the CPUs the app is pinned to (default: the last CPU; none on a 1-CPU machine)',
    parse: (text: string, name: string) => cpuListRule(name, text),
  }),
  otherCpus: setting.custom({
    flag: 'other-cpus',
    placeholder: 'LIST',
    help: 'the CPUs of the load generator and every other process (default: the rest)',
    parse: (text: string, name: string) => cpuListRule(name, text),
  }),
  bpfStats: setting.choice({
    flag: 'bpf-stats',
    placeholder: 'on|off',
    default: 'off',
    help: "the kernel's run time per BPF program, in the eBPF scenarios: it adds ~100 ns to each program run it measures",
    choices: ['on', 'off'],
  }),
  out: setting.path({
    flag: 'out',
    placeholder: 'DIR',
    default: path.join(ROOT, '.work/report'),
    defaultDoc: '.work/report',
    help: 'where report.json and report.html go',
  }),
  ...SERVICE_SETTINGS,
};

/** The flags, and the service they name (undefined: the project's app). */
export type RunSettings = SettingValues<typeof SETTINGS> & { readonly serviceSpec?: ServiceSpec };

/** The closed run's length: --capacity-dur, never longer than the open run's (--dur). */
export function capacityRunMs(settings: Pick<RunSettings, 'capacityMs' | 'durationMs'>): number {
  return Math.min(settings.capacityMs, settings.durationMs);
}

export const USAGE = usageText(SETTINGS, {
  usage:
    'npm start -- [--service CMD --service-url URL | --service-config FILE] [--scenarios LIST] [--dur D] [--rate R] [--conns N] [--repeat K | --min-rounds N --target W --budget D] [--out DIR]',
  about:
    'Compares ways of observing the app: each scenario on a freshly started app, a closed-model ' +
    'run for capacity and an open-model run at one fixed rate for latency, with the CPU and ' +
    'memory of every process and the count each approach saw against the truth, each cost a ' +
    "ratio to the same round's baseline with its confidence interval, checked every round by " +
    'an A/A baseline and a calibration; writes ' +
    'DIR/report.json and DIR/report.html.',
});

/** The flags, or undefined for --help; a bad one is a RUN_USAGE error naming it. */
export function parseRunArgs(argv: readonly string[]): RunSettings | undefined {
  const asUsage = <T>(rule: () => T): T => {
    try {
      return rule();
    } catch (err) {
      if (err instanceof SettingError) throw new RunError('RUN_USAGE', err.message);
      throw err;
    }
  };
  const { values, help } = parseSettings(
    SETTINGS,
    asUsage(() => withServiceConfig(argv)),
    { env: {}, usageError: (message) => new RunError('RUN_USAGE', message) },
  );
  if (help) return undefined;
  const serviceSpec = asUsage(() => serviceSpecOf(values));
  return serviceSpec === undefined ? values : { ...values, serviceSpec };
}
