import { accuracyTable } from './accuracy-table.js';
import {
  controlsTable,
  costTable,
  intervalCell,
  judgedCell,
  productionTable,
} from './headline-tables.js';
import type { Report, ScenarioReport } from './report.js';
import { reasonCell, scenarioRows } from './scenario-rows.js';
import { addedProcesses, measured } from './selectors.js';
import { figure, left, right, type Cell, type Row, type Table } from './view-model.js';

/** The report's four tables, as rows of figures (view-model.ts). */

function scenarioLead(scenario: ScenarioReport, at: string): Cell[] {
  return [[figure(`${at}.name`, scenario.name)], [figure(`${at}.status`, scenario.status)]];
}

/** The capacity's ratio where it compares, else what limited it. */
function capacityCell(s: ScenarioReport, at: string): Cell {
  if (s.overhead?.capacity) return intervalCell(`${at}.overhead.capacity`, s.overhead.capacity);
  if (s.overhead?.capacity_limit) return ['not the app (see the warnings)'];
  return ['-'];
}

function capacityTable(report: Report): Table {
  const rate = figure('settings.rate', report.settings.rate);
  return {
    id: 'capacity-latency',
    title: 'Capacity and latency',
    about:
      `req/s in the closed model, its ratio only where the app's CPU set it in both runs; ` +
      `latency (ms) in the open model at ${rate.text} req/s; ratios to the same round's ` +
      'baseline with their intervals',
    columns: [
      left('scenario'),
      left('status'),
      right('req/s'),
      right('vs baseline'),
      right('p50 ms'),
      right('p99 ms'),
      right('p99.9 ms'),
      right('p99 vs baseline'),
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
          capacityCell(s, at),
          latency('p50'),
          latency('p99'),
          latency('p999'),
          judgedCell(`${at}.overhead.p99`, s.overhead?.p99),
        ],
      };
    }),
  };
}

function cpuTable(report: Report): Table {
  const rows = scenarioRows(report, (s, at) => {
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
    const first: Row = {
      cells: [
        [figure(`${at}.name`, s.name)],
        perRequest('total'),
        perRequest('user'),
        perRequest('system'),
        app ? [figure(`${at}.processes[${appIndex}].peak_rss_bytes`, app.peak_rss_bytes)] : ['-'],
        ...processCells(added[0]?.index ?? -1),
      ],
    };
    return [
      first,
      ...added
        .slice(1)
        .map(({ index }) => ({ cells: [[], [], [], [], [], ...processCells(index)] })),
    ];
  });
  return {
    id: 'cpu-memory',
    title: 'CPU and memory',
    about:
      "the app's CPU per request in the open model; the app's peak RSS; CPU seconds over both " +
      'measured runs and peak RSS of each process the scenario added',
    columns: [
      left('scenario'),
      right('app µs/req'),
      right('user'),
      right('system'),
      right('app RSS'),
      left('added process'),
      right('user s'),
      right('system s'),
      right('peak RSS'),
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
      left('scenario'),
      left('owner'),
      left('program'),
      left('type'),
      right('runs'),
      right('ns/run'),
    ],
    rows,
  };
}

/** The tables that lead: the cost a request, and the run's checks of itself. */
export function leadTables(report: Report): Table[] {
  const controls = controlsTable(report);
  const production = productionTable(report);
  return [costTable(report), ...(production ? [production] : []), ...(controls ? [controls] : [])];
}

/** The tables that follow: capacity and latency, CPU and memory, accuracy, BPF programs. */
export function detailTables(report: Report): Table[] {
  const bpf = bpfTable(report);
  return [capacityTable(report), cpuTable(report), accuracyTable(report), ...(bpf ? [bpf] : [])];
}

/** Every table of the report, in the order they are shown. */
export function reportTables(report: Report): Table[] {
  return [...leadTables(report), ...detailTables(report)];
}
