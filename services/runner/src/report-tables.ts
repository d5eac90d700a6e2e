import { formatDiscrepancy, formatField } from './format.js';
import type { Accuracy, Approach, Report, ScenarioReport, Spread } from './report.js';

/**
 * The report's tables as rows of figures, before they are text or HTML: the terminal table
 * (table.ts) and the page (html.ts) show the same rows. Each figure keeps its path in
 * report.json, which the page writes beside it for the browser test to check.
 */

/** A figure of report.json as shown: its path there, its value, its text. */
export interface Figure {
  field: string;
  value: unknown;
  text: string;
}

/** A cell: figures with words between them, e.g. "0.82 (0.80–0.83)". */
export type Cell = readonly (string | Figure)[];

export interface Column {
  title: string;
  align: 'left' | 'right';
}

/** A row of cells, one per column; or the first cells and then a note across the rest. */
export type Row = { cells: Cell[] } | { lead: Cell[]; note: Cell };

export interface Table {
  /** Stable, for the page's ids. */
  id: string;
  title: string;
  /** What the figures are, in one sentence. */
  about: string;
  columns: Column[];
  rows: Row[];
}

/** A label and its value, for the settings and the machine. */
export interface Pair {
  label: string;
  value: Cell;
}

export function cellText(cell: Cell): string {
  return cell.map((part) => (typeof part === 'string' ? part : part.text)).join('');
}

/** The figure at `field` of the report (a path such as `scenarios[1].rps`). */
export function figure(field: string, value: unknown): Figure {
  return { field, value, text: formatField(field, value) };
}

function spreadCell(field: string, spread: Spread): Cell {
  const median = figure(`${field}.median`, spread.median);
  if (spread.values.length < 2) return [median];
  return [
    median,
    ' (',
    figure(`${field}.min`, spread.min),
    '–',
    figure(`${field}.max`, spread.max),
    ')',
  ];
}

/** A scenario whose figures are shown: skipped and failed ones show their reason instead. */
export function measured(scenario: ScenarioReport): boolean {
  return scenario.status === 'ok';
}

/** The processes a scenario added to the app: everything measured but the app and the bench. */
export function addedProcesses(scenario: ScenarioReport) {
  return scenario.processes
    .map((process, index) => ({ process, index }))
    .filter(({ process }) => process.name !== 'app' && process.name !== 'bench');
}

function reasonCell(scenario: ScenarioReport, at: string): Cell {
  return [figure(`${at}.reason`, scenario.reason ?? 'no reason given')];
}

/** A skipped or failed scenario's row in a table without a status column: "skipped: why". */
function notMeasuredRow(scenario: ScenarioReport, at: string): Row {
  return {
    lead: [[figure(`${at}.name`, scenario.name)]],
    note: [figure(`${at}.status`, scenario.status), ': ', ...reasonCell(scenario, at)],
  };
}

function scenarioLead(scenario: ScenarioReport, at: string): Cell[] {
  return [[figure(`${at}.name`, scenario.name)], [figure(`${at}.status`, scenario.status)]];
}

function capacityTable(report: Report): Table {
  const rate = figure('settings.rate', report.settings.rate);
  return {
    id: 'capacity-latency',
    title: 'Capacity and latency',
    about:
      `req/s in the closed model; latency (ms) in the open model at ${rate.text} req/s; ratios ` +
      "to the same round's baseline, median (min–max) over the rounds",
    columns: [
      { title: 'scenario', align: 'left' },
      { title: 'status', align: 'left' },
      { title: 'req/s', align: 'right' },
      { title: 'vs baseline', align: 'right' },
      { title: 'p50 ms', align: 'right' },
      { title: 'p99 ms', align: 'right' },
      { title: 'p99.9 ms', align: 'right' },
      { title: 'p99 vs baseline', align: 'right' },
    ],
    rows: report.scenarios.map((s, i) => {
      const at = `scenarios[${i}]`;
      if (!measured(s)) return { lead: scenarioLead(s, at), note: reasonCell(s, at) };
      const latency = (key: 'p50' | 'p99' | 'p999'): Cell => [
        figure(`${at}.latency_ms.${key}`, s.latency_ms[key]),
      ];
      return {
        cells: [
          ...scenarioLead(s, at),
          [figure(`${at}.rps`, s.rps)],
          s.overhead ? spreadCell(`${at}.overhead.rps_ratio`, s.overhead.rps_ratio) : ['-'],
          latency('p50'),
          latency('p99'),
          latency('p999'),
          s.overhead ? spreadCell(`${at}.overhead.p99_ratio`, s.overhead.p99_ratio) : ['-'],
        ],
      };
    }),
  };
}

function cpuTable(report: Report): Table {
  const rows: Row[] = [];
  report.scenarios.forEach((s, i) => {
    const at = `scenarios[${i}]`;
    if (!measured(s)) {
      rows.push(notMeasuredRow(s, at));
      return;
    }
    const perRequest = (key: 'total' | 'user' | 'system'): Cell => [
      figure(`${at}.app_cpu_us_per_request.${key}`, s.app_cpu_us_per_request[key]),
    ];
    const appIndex = s.processes.findIndex((p) => p.name === 'app');
    const app = s.processes[appIndex];
    const processCells = (index: number): Cell[] => {
      const process = s.processes[index];
      if (process === undefined) return [['-'], [], [], []];
      const p = `${at}.processes[${index}]`;
      return [
        [figure(`${p}.name`, process.name)],
        [figure(`${p}.cpu_s.user`, process.cpu_s.user)],
        [figure(`${p}.cpu_s.system`, process.cpu_s.system)],
        [figure(`${p}.peak_rss_bytes`, process.peak_rss_bytes)],
      ];
    };
    const added = addedProcesses(s);
    rows.push({
      cells: [
        [figure(`${at}.name`, s.name)],
        perRequest('total'),
        perRequest('user'),
        perRequest('system'),
        s.overhead ? spreadCell(`${at}.overhead.cpu_ratio`, s.overhead.cpu_ratio) : ['-'],
        app ? [figure(`${at}.processes[${appIndex}].peak_rss_bytes`, app.peak_rss_bytes)] : ['-'],
        ...processCells(added[0]?.index ?? -1),
      ],
    });
    for (const { index } of added.slice(1)) {
      rows.push({ cells: [[], [], [], [], [], [], ...processCells(index)] });
    }
  });
  return {
    id: 'cpu-memory',
    title: 'CPU and memory',
    about:
      "the app's CPU per request in the open model; the app's peak RSS; CPU seconds over both " +
      'measured runs and peak RSS of each process the scenario added',
    columns: [
      { title: 'scenario', align: 'left' },
      { title: 'app µs/req', align: 'right' },
      { title: 'user', align: 'right' },
      { title: 'system', align: 'right' },
      { title: 'vs baseline', align: 'right' },
      { title: 'app RSS', align: 'right' },
      { title: 'added process', align: 'left' },
      { title: 'user s', align: 'right' },
      { title: 'system s', align: 'right' },
      { title: 'peak RSS', align: 'right' },
    ],
    rows,
  };
}

/** The counts of one approach: the main one, its response bytes, and the observer's own. */
function accuracyRows(entry: Accuracy, at: string): { measure: string; cells: Cell[] }[] {
  const count = (field: string, c: { counted: number; truth: number; exact: boolean }): Cell[] => [
    [figure(`${field}.counted`, c.counted), '/', figure(`${field}.truth`, c.truth)],
    [figure(`${field}.exact`, c.exact), ' ', formatDiscrepancy(c.counted, c.truth, c.exact)],
  ];
  const rows: { measure: string; cells: Cell[] }[] = [
    { measure: entry.unit, cells: count(at, entry) },
  ];
  if (entry.bytes) rows.push({ measure: 'bytes', cells: count(`${at}.bytes`, entry.bytes) });
  if (entry.observer) {
    rows.push({
      measure: `${entry.unit} at the observer`,
      cells: count(`${at}.observer`, entry.observer),
    });
  }
  return rows;
}

function accuracyTable(report: Report): Table {
  const rows: Row[] = [];
  report.scenarios.forEach((s, i) => {
    const at = `scenarios[${i}]`;
    if (!measured(s)) {
      rows.push(notMeasuredRow(s, at));
      return;
    }
    let first = true;
    for (const [approach, entry] of approachesOf(s)) {
      accuracyRows(entry, `${at}.accuracy.${approach}`).forEach((row, j) => {
        rows.push({
          cells: [
            first ? [figure(`${at}.name`, s.name)] : [],
            j === 0 ? [approach] : [],
            [row.measure],
            ...row.cells,
          ],
        });
        first = false;
      });
    }
  });
  return {
    id: 'accuracy',
    title: 'Accuracy',
    about:
      "each approach's count against the truth, what the load generator received, summed over " +
      'the rounds; exact when equal in every round',
    columns: [
      { title: 'scenario', align: 'left' },
      { title: 'approach', align: 'left' },
      { title: 'measure', align: 'left' },
      { title: 'counted/truth', align: 'right' },
      { title: '', align: 'left' },
    ],
    rows,
  };
}

function bpfTable(report: Report): Table | undefined {
  const rows: Row[] = [];
  report.scenarios.forEach((s, i) => {
    if (!measured(s)) return;
    s.bpf_programs.forEach((program, j) => {
      const at = `scenarios[${i}].bpf_programs[${j}]`;
      rows.push({
        cells: [
          j === 0 ? [figure(`scenarios[${i}].name`, s.name)] : [],
          [figure(`${at}.owner`, program.owner)],
          [figure(`${at}.name`, program.name)],
          [figure(`${at}.type`, program.type)],
          [figure(`${at}.run_cnt`, program.run_cnt)],
          [figure(`${at}.ns_per_run`, program.ns_per_run)],
        ],
      });
    });
  });
  if (rows.length === 0) return undefined;
  return {
    id: 'bpf-programs',
    title: 'BPF programs',
    about:
      "the kernel's statistics, summed over the rounds; a program's run time is CPU time of " +
      'the process it ran for, mostly the app',
    columns: [
      { title: 'scenario', align: 'left' },
      { title: 'owner', align: 'left' },
      { title: 'program', align: 'left' },
      { title: 'type', align: 'left' },
      { title: 'runs', align: 'right' },
      { title: 'ns/run', align: 'right' },
    ],
    rows,
  };
}

/** The approaches a scenario counted with, in the order report.ts lists them. */
export function approachesOf(scenario: ScenarioReport): [Approach, Accuracy][] {
  return Object.entries(scenario.accuracy) as [Approach, Accuracy][];
}

/** Every table of the report, in the order they are shown. */
export function reportTables(report: Report): Table[] {
  const bpf = bpfTable(report);
  return [capacityTable(report), cpuTable(report), accuracyTable(report), ...(bpf ? [bpf] : [])];
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
        'a fresh app, a ',
        f('settings.warmup_s', settings.warmup_s),
        ' warm-up, a ',
        f('settings.duration_s', settings.duration_s),
        ' closed-model run, a ',
        f('settings.duration_s', settings.duration_s),
        ' open-model run',
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
