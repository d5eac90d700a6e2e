import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  formatBytes,
  formatDiscrepancy,
  formatField,
  formatFigure,
  formatShare,
} from '../src/format.js';

test('figures have three significant digits and no exponent', () => {
  assert.deepEqual([0, 0.0614, 0.214, 1.118, 61.83, 412.6, 9013.8, 123456].map(formatFigure), [
    '0',
    '0.061',
    '0.214',
    '1.12',
    '61.8',
    '413',
    '9,014',
    '123,456',
  ]);
});

test('bytes in binary units', () => {
  assert.deepEqual([512, 2048, 81256448, 641974272, 3 * 1024 ** 3].map(formatBytes), [
    '512 B',
    '2.00 KiB',
    '77.5 MiB',
    '612 MiB',
    '3.00 GiB',
  ]);
});

test('a share of the truth never rounds an inexact count to 100%', () => {
  assert.equal(formatShare(345294, 345318), '99.99%');
  assert.equal(formatShare(999999, 1000000), '99.9999%');
  assert.equal(formatShare(1000001, 1000000), '100.0001%');
  assert.equal(formatShare(7, 7), '100%');
  assert.equal(formatShare(0, 0), '100%');
  assert.equal(formatDiscrepancy(345294, 345318, false), '24 missing (99.99%)');
  assert.equal(formatDiscrepancy(1000012, 1000000, false), '12 extra (100.001%)');
  assert.equal(formatDiscrepancy(5, 5, true), 'exact');
});

test('a field is written by its kind, found from its path', () => {
  assert.equal(formatField('scenarios[1].rps', 7359.3), '7,359');
  assert.equal(formatField('scenarios[1].latency_ms.max', 11.2), '11.2');
  assert.equal(formatField('scenarios[1].overhead.p99_ratio.max', 1.3391), '1.34');
  assert.equal(formatField('scenarios[1].processes[0].peak_rss_bytes', 148897792), '142 MiB');
  assert.equal(formatField('scenarios[1].accuracy.app.counted', 397720), '397,720');
  assert.equal(formatField('scenarios[1].accuracy.app.exact', true), '✓');
  assert.equal(formatField('settings.warmup_s', 0.5), '0.5 s');
  assert.equal(formatField('machine.app_cpus', []), 'none');
  assert.equal(formatField('started_at', '2026-12-03T09:14:07.512Z'), '2026-12-03 09:14:07 UTC');
  assert.equal(formatField('scenarios[1].reason', 'why'), 'why');
});
