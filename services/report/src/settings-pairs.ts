import type { Report } from './report.js';
import { figure, type Pair } from './view-model.js';

/** How the intervals were drawn and the rounds decided, and how the runs were checked. */
function statisticsPairs(report: Report): Pair[] {
  const { settings } = report;
  const f = (field: string, value: unknown) => figure(field, value);
  return [
    {
      label: 'statistics',
      value: [
        f('settings.confidence', settings.confidence),
        ' intervals; ',
        f('settings.fixed_rounds', settings.fixed_rounds),
        ...(settings.fixed_rounds
          ? []
          : [
              ': at least ',
              f('settings.min_rounds', settings.min_rounds),
              ', then until within ±',
              f('settings.target', settings.target),
              ' or ',
              f('settings.budget_s', settings.budget_s),
              ' passed',
            ]),
      ],
    },
    {
      label: 'checks',
      value: [
        'runs with a foreign load above ',
        f('settings.max_foreign', settings.max_foreign),
        " of the app's CPUs set aside; CPU counted by ",
        f('settings.cpu_meter', settings.cpu_meter),
      ],
    },
  ];
}

/** What the comparison observed: the project's app, or the service the user named. */
function observedPair({ settings }: Report): Pair {
  const { service } = settings;
  return {
    label: 'observed',
    value:
      service === undefined
        ? ["the project's app"]
        : [
            figure('settings.service.command', service.command),
            ' at ',
            figure('settings.service.url', service.url),
          ],
  };
}

/** What was observed, and the load each round put on it. */
function loadPairs(report: Report): Pair[] {
  const { settings } = report;
  const f = (field: string, value: unknown) => figure(field, value);
  return [
    observedPair(report),
    {
      label: 'load',
      value: [
        'path ',
        f('settings.path', settings.path),
        ', ',
        f('settings.conns', settings.conns),
        ' connections, ',
        f('settings.repeat', settings.repeat),
        settings.repeat === 1 ? ' round' : ' rounds',
      ],
    },
    {
      label: 'each round',
      value: [
        // Durations lead no article: "a 8 s run" reads wrong, and which one is due varies.
        settings.service === undefined ? 'a fresh app' : 'a fresh service',
        '; warm-up ',
        f('settings.warmup_s', settings.warmup_s),
        ', closed-model run ',
        settings.capacity_duration_s === undefined
          ? f('settings.duration_s', settings.duration_s)
          : f('settings.capacity_duration_s', settings.capacity_duration_s),
        ', open-model run ',
        f('settings.duration_s', settings.duration_s),
      ],
    },
    {
      label: 'open-model rate',
      value: [
        f('settings.rate', settings.rate),
        ' req/s (',
        f('settings.rate_source', settings.rate_source),
        ')',
      ],
    },
  ];
}

/** When, how, and where the comparison ran. */
export function settingsPairs(report: Report): Pair[] {
  const { settings, machine } = report;
  const f = (field: string, value: unknown) => figure(field, value);
  const cpus = (field: string, list: number[]) => [
    list.length === 1 ? 'CPU ' : 'CPUs ',
    f(field, list),
  ];
  return [
    { label: 'started', value: [f('started_at', report.started_at)] },
    { label: 'finished', value: [f('finished_at', report.finished_at)] },
    ...(report.interrupted === undefined
      ? []
      : [{ label: 'interrupted', value: [f('interrupted', report.interrupted)] }]),
    ...loadPairs(report),
    ...statisticsPairs(report),
    {
      label: 'BPF statistics',
      value: settings.bpf_stats
        ? [
            f('settings.bpf_stats', true),
            ': each BPF program run measured by the kernel, about 100 ns more per run',
          ]
        : [f('settings.bpf_stats', false), ' (--bpf-stats on measures each BPF program)'],
    },
    {
      label: 'machine',
      value: [
        f('machine.cpus', machine.cpus),
        machine.cpus === 1 ? ' CPU; ' : ' CPUs; ',
        ...(machine.app_cpus.length === 0
          ? ['the app not pinned']
          : [
              'the app on ',
              ...cpus('machine.app_cpus', machine.app_cpus),
              ', the rest on ',
              ...cpus('machine.other_cpus', machine.other_cpus),
            ]),
        '; Linux ',
        f('machine.kernel', machine.kernel),
        '; Node ',
        f('machine.node', machine.node),
      ],
    },
  ];
}
