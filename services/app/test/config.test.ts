import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { docRows, markdownTableRows } from '@obscost/flags';
import { DEFAULT_MARKER_LIBRARY, loadConfig, SETTINGS } from '../src/config.js';
import { AppError } from '../src/errors.js';

test('defaults: loopback 8080, the nop5 marker, no log, no burn, no telemetry', () => {
  assert.deepEqual(loadConfig({}), {
    host: '127.0.0.1',
    port: 8080,
    metricsPort: undefined,
    logFile: undefined,
    markerLibrary: DEFAULT_MARKER_LIBRARY,
    markerSymbol: 'app_write',
    burnUs: 0,
    telemetry: false,
  });
  assert.ok(Object.isFrozen(loadConfig({})));
});

test('every variable is read', () => {
  assert.deepEqual(
    loadConfig({
      HOST: '0.0.0.0',
      PORT: '0',
      APP_METRICS_PORT: '9001',
      APP_LOG_FILE: '/tmp/x.log',
      APP_MARKER_LIB: '/opt/libm.so',
      APP_BURN_US: '100000',
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318',
    }),
    {
      host: '0.0.0.0',
      port: 0,
      metricsPort: 9001,
      logFile: '/tmp/x.log',
      markerLibrary: '/opt/libm.so',
      markerSymbol: 'app_write',
      burnUs: 100_000,
      telemetry: true,
    },
  );
  assert.equal(loadConfig({ APP_MARKER: 'off' }).markerLibrary, undefined);
  assert.equal(loadConfig({ APP_MARKER: 'plain' }).markerSymbol, 'app_write_plain');
});

test('invalid values name the variable and what is allowed', () => {
  for (const [env, message] of [
    [{ PORT: 'http' }, /PORT must be an integer from 0 to 65535, got "http"/],
    [{ PORT: '65536' }, /PORT must be an integer from 0 to 65535/],
    [{ PORT: '-1' }, /PORT must be an integer/],
    [{ APP_METRICS_PORT: 'x' }, /APP_METRICS_PORT must be an integer from 0 to 65535, got "x"/],
    [{ APP_BURN_US: '100001' }, /APP_BURN_US must be an integer from 0 to 100000, got "100001"/],
    [{ APP_BURN_US: '-5' }, /APP_BURN_US must be an integer from 0 to 100000/],
    [{ APP_BURN_US: '1.5' }, /APP_BURN_US must be an integer/],
    [{ APP_BURN_US: '2ms' }, /APP_BURN_US must be an integer/],
    [{ APP_MARKER: 'yes' }, /APP_MARKER must be nop5, plain or off, got "yes"/],
  ] as const) {
    assert.throws(
      () => loadConfig(env),
      (err: unknown) => {
        assert.ok(err instanceof AppError);
        assert.equal(err.code, 'APP_USAGE');
        assert.equal(err.exitCode, 2);
        assert.match(err.message, message);
        return true;
      },
    );
  }
});

test("the docs' variables table is the settings table", () => {
  const page = readFileSync(
    path.resolve(import.meta.dirname, '../../../../docs/app-and-bench.md'),
    'utf8',
  );
  const rows = docRows(SETTINGS);
  assert.deepEqual(markdownTableRows(page, rows[0] ?? []), rows);
});
