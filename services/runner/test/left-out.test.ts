import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ratioInterval } from '@obscost/measure';
import { unreliableReason } from '../src/assemble-report.js';
import { aaControl, calibrationControl, controlNotes } from '../src/control-figures.js';
import { overheadNotes, overheadOf } from '../src/overhead.js';
import { round } from './headline-round.js';

const SETTINGS = { confidence: 0.95, target: 0.03 };
const BASELINES = new Map(
  [
    round(1, 60, 20),
    round(2, 62, 21),
    round(3, 0, 20), // the baseline's app CPU was not counted in round 3
    round(4, 61, 19),
  ].map((r) => [r.round, r]),
);

test("a figure of 0 leaves its round out of that figure's ratio only, and says so", () => {
  const rounds = [round(1, 66, 20), round(2, 68, 0), round(3, 67, 21), round(4, 67, 19)];
  const overhead = overheadOf(rounds, BASELINES, SETTINGS);
  assert.ok(overhead);
  // The app's ratio lost round 3 (the baseline's 0), the neighbours' round 2 (the scenario's).
  assert.deepEqual(overhead.app, {
    ...ratioInterval([
      { subject: 66, reference: 60 },
      { subject: 68, reference: 62 },
      { subject: 67, reference: 61 },
    ]),
    verdict: 'cost',
  });
  assert.equal(overhead.app.rounds, 3);
  assert.equal(overhead.total.rounds, 3);
  assert.equal(overhead.neighbours.rounds, 3);
  assert.equal(overhead.p99.rounds, 4);
  const lost = (figure: string, which: string): string =>
    `sidecar ${figure}: 1 of 4 rounds left out of its ratio, ${which}: ` +
    'a figure of 0 is a run that measured nothing, not one that cost nothing';
  assert.deepEqual(overheadNotes('sidecar', rounds, BASELINES), [
    lost('app', "round 3 (0 in the baseline's run)"),
    lost('total', "round 3 (0 in the baseline's run)"),
    lost('neighbours', "round 2 (0 in sidecar's run)"),
  ]);
});

test('no note where every round entered; no ratio where none did', () => {
  const fine = [round(1, 66, 20), round(2, 68, 21)];
  assert.deepEqual(overheadNotes('sidecar', fine, BASELINES), []);
  const noCpu = [round(1, 0, 20), round(2, 0, 21)];
  assert.equal(overheadOf(noCpu, BASELINES, SETTINGS), undefined);
  assert.match(overheadNotes('bpftrace', noCpu, BASELINES)[0] ?? '', /^bpftrace app: 2 of 2 /);
});

test("the controls' ratios count the rounds that entered; one that none entered has 0", () => {
  const aa = aaControl([round(1, 61, 20), round(2, 62, 20), round(3, 60, 20)], BASELINES, SETTINGS);
  assert.equal(aa.app.rounds, 2);
  assert.equal(aa.neighbours.rounds, 3);
  const calibration = calibrationControl([round(3, 66, 20)], BASELINES, 6, SETTINGS);
  assert.deepEqual(calibration.ratio, {
    estimate: 1,
    ci_low: null,
    ci_high: null,
    confidence: 0.95,
    rounds: 0,
  });
  assert.equal(calibration.holds, false);
  assert.deepEqual(
    controlNotes([round(3, 60, 20)], [round(3, 66, 20)], BASELINES, 6).map(
      (note) => note.split(':')[0],
    ),
    ['baseline-aa app', 'baseline-aa total', 'calibration app'],
  );
});

test('a control left with one round of a figure checked nothing, whichever the figure', () => {
  const aa = aaControl([round(1, 61, 20), round(2, 62, 0), round(4, 60, 0)], BASELINES, SETTINGS);
  assert.equal(aa.app.rounds, 3);
  assert.equal(aa.neighbours.rounds, 1);
  const calibration = calibrationControl(
    [round(1, 66, 20), round(2, 68, 20), round(4, 67, 20)],
    BASELINES,
    6,
    SETTINGS,
  );
  assert.match(unreliableReason({ aa, calibration }) ?? '', /^a control has fewer than 2 rounds/);
});
