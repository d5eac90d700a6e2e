import type { CostPerRequest, Interval, JudgedRatio, Report } from './report.js';
import { measured } from './selectors.js';
import { figure, left, right, type Cell, type Row, type Table } from './view-model.js';

/** The headline tables, first in both views: the cost a request, and the run's own checks. */

/** "1.08 (1.05–1.11)": the estimate and its interval; the estimate alone with one round. */
export function intervalCell(field: string, interval: Interval): Cell {
  const estimate = figure(`${field}.estimate`, interval.estimate);
  if (interval.ci_low === null || interval.ci_high === null) return [estimate];
  return [
    estimate,
    ' (',
    figure(`${field}.ci_low`, interval.ci_low),
    // "-2.16–15.92" reads as a subtraction: a range from below 0 is spelled out.
    interval.ci_low < 0 ? ' to ' : '–',
    figure(`${field}.ci_high`, interval.ci_high),
    ')',
  ];
}

/** The interval and its verdict: "1.08 (1.05–1.11) cost". */
export function judgedCell(field: string, ratio: JudgedRatio | undefined): Cell {
  if (ratio === undefined) return ['-'];
  return [...intervalCell(field, ratio), ' ', figure(`${field}.verdict`, ratio.verdict)];
}

const FIGURES = ['app', 'total', 'neighbours'] as const satisfies readonly (keyof CostPerRequest)[];

export function costTable(report: Report): Table {
  const rate = figure('settings.rate', report.settings.rate);
  const confidence = figure('settings.confidence', report.settings.confidence);
  const rows = report.scenarios.map((s, i): Row => {
    const at = `scenarios[${i}]`;
    const lead: Cell[] = [[figure(`${at}.name`, s.name)]];
    if (!measured(s)) {
      return {
        lead,
        note: [figure(`${at}.status`, s.status), ': ', figure(`${at}.reason`, s.reason ?? '')],
      };
    }
    return {
      cells: [
        ...lead,
        ...FIGURES.flatMap((key): Cell[] => [
          [figure(`${at}.cost_us_per_request.${key}`, s.cost_us_per_request[key])],
          judgedCell(`${at}.overhead.${key}`, s.overhead?.[key]),
        ]),
      ],
    };
  });
  return {
    id: 'cost',
    title: 'Cost a request',
    about:
      `CPU µs a request in the open model at ${rate.text} req/s, the median over the rounds: the ` +
      "app's own, the total of the app and every process the scenario adds, and the load " +
      "generator's (what the neighbours pay); each against the same round's baseline, with its " +
      `${confidence.text} interval and what it lets one say`,
    columns: [
      left('scenario'),
      right('app µs'),
      right('vs baseline'),
      right('total µs'),
      right('vs baseline'),
      right('neighbours µs'),
      right('vs baseline'),
    ],
    rows,
  };
}

function holdsCell(field: string, holds: boolean): Cell {
  return [figure(field, holds), holds ? ' holds' : ' does not hold'];
}

/** The A/A control and the calibration, or undefined when the run had none. */
export function controlsTable(report: Report): Table | undefined {
  const { controls } = report;
  if (controls === undefined) return undefined;
  const { aa, calibration } = controls;
  const rows: Row[] = [
    ...FIGURES.map((key, j): Row => ({
      cells: [
        j === 0 ? ["this run's resolution"] : [],
        [`A/A ${key} a request`],
        intervalCell(`controls.aa.${key}`, aa[key]),
        j === 0 ? holdsCell('controls.aa.holds', aa.holds) : [],
      ],
    })),
    {
      cells:
        calibration === undefined
          ? [
              ['calibration'],
              ['not run: ', figure('controls.calibration_skipped', controls.calibration_skipped)],
              [],
              [],
            ]
          : [
              ['calibration'],
              [
                '+',
                figure('controls.calibration.burn_us', calibration.burn_us),
                ' µs a request, measured +',
                figure('controls.calibration.extra_us', calibration.extra_us),
              ],
              intervalCell('controls.calibration.ratio', calibration.ratio),
              holdsCell('controls.calibration.holds', calibration.holds),
            ],
    },
  ];
  return {
    id: 'controls',
    title: "This run's checks",
    about:
      'a second baseline every round, whose ratios to the first must contain 1 (the smallest ' +
      'cost this run resolves is about its interval), and the baseline app with a known cost a ' +
      'request, whose ratio to the baseline plus that cost must contain 1',
    columns: [left('check'), left('figure'), right('ratio'), left('')],
    rows,
  };
}

/**
 * With --production-rate: each approach's cost a request as CPU cores at that rate, on the
 * service's host (what it adds there) and in its pipeline, each with its interval.
 */
export function productionTable(report: Report): Table | undefined {
  const rate = report.settings.production_rate;
  if (rate === undefined) return undefined;
  const rows = report.scenarios.flatMap((s, i): Row[] => {
    if (s.name === 'baseline') return [];
    const at = `scenarios[${i}]`;
    const lead: Cell[] = [[figure(`${at}.name`, s.name)]];
    const cores = s.at_production_rate;
    if (!measured(s)) {
      return [
        {
          lead,
          note: [figure(`${at}.status`, s.status), ': ', figure(`${at}.reason`, s.reason ?? '')],
        },
      ];
    }
    if (cores === undefined) return [{ lead, note: ['no figure: no round with its baseline'] }];
    return [
      {
        cells: [
          ...lead,
          intervalCell(`${at}.at_production_rate.host_cores`, cores.host_cores),
          cores.pipeline_cores === undefined
            ? ['-']
            : intervalCell(`${at}.at_production_rate.pipeline_cores`, cores.pipeline_cores),
        ],
      },
    ];
  });
  const shown = figure('settings.production_rate', rate);
  return {
    id: 'production',
    title: `At ${shown.text} req/s`,
    about:
      `each approach's cost a request as CPU cores at ${shown.text} req/s (--production-rate): ` +
      "on the service's host, what it adds to the service alone (its CPU and every agent " +
      'beside it); in its pipeline off the host (the aggregator and Kafka), all it spends; ' +
      "each with its ratio's interval",
    columns: [left('scenario'), right('cores on the host'), right('cores in the pipeline')],
    rows,
  };
}
