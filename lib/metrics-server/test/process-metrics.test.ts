import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Registry } from 'prom-client';
import { registerProcessMetrics } from '../src/index.js';

test("the process metrics: prom-client's defaults without the gauges named like counters", async () => {
  const registry = new Registry();
  registerProcessMetrics(registry);
  const text = await registry.metrics();
  assert.match(text, /^# TYPE process_cpu_seconds_total counter$/m);
  assert.match(text, /^# TYPE process_resident_memory_bytes gauge$/m);
  assert.match(text, /^# TYPE nodejs_active_handles gauge$/m);
  assert.doesNotMatch(text, /^# TYPE \w+_total (?!counter)/m);
});
