import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  docRows,
  markdownTableRows,
  parseSettings,
  setting,
  SettingError,
  usageText,
} from '../src/index.js';

class Usage extends Error {}
const usageError = (message: string): Error => new Usage(message);

const TABLE = {
  port: setting.integer({
    flag: 'port',
    env: 'X_PORT',
    placeholder: 'P',
    default: '9100',
    min: 0,
    max: 65535,
    help: 'metrics port',
  }),
  pid: setting.integer({ flag: 'pid', placeholder: 'N', min: 1, max: 100, help: 'the target' }),
  mode: setting.choice({
    flag: 'mode',
    placeholder: 'M',
    default: 'auto',
    choices: ['auto', 'on', 'off'],
    help: 'a | b',
  }),
  verbose: setting.switch({ flag: 'verbose', help: 'say more' }),
  header: setting.list({ flag: 'header', short: 'H', placeholder: 'H', help: 'repeatable' }),
  id: setting.text({
    flag: 'id',
    placeholder: 'ID',
    default: () => 'made',
    defaultDoc: 'HOST:PID',
    help: 'a name',
  }),
};

test('flag over environment over default; absent without a default is undefined', () => {
  const parse = (argv: string[], env = {}) => {
    const parsed = parseSettings(TABLE, argv, { env, usageError });
    if (parsed.help) return assert.fail('--help was not given');
    return parsed.values;
  };
  assert.deepEqual(parse([]), {
    port: 9100,
    pid: undefined,
    mode: 'auto',
    verbose: false,
    header: [],
    id: 'made',
  });
  assert.equal(parse([], { X_PORT: '1' }).port, 1);
  assert.equal(parse(['--port', '2'], { X_PORT: '1' }).port, 2);
  assert.equal(parse([], { X_PORT: '' }).port, 9100);
  assert.deepEqual(parse(['-H', 'a', '--header', 'b', '--verbose']).header, ['a', 'b']);
  assert.equal(parse(['--verbose']).verbose, true);
  // Typed as its choices, not as any string: this line compiles only then.
  const mode: 'auto' | 'on' | 'off' = parse(['--mode', 'on']).mode;
  assert.equal(mode, 'on');
  assert.ok(Object.isFrozen(parse([])));
});

test('bad values name the flag or the variable they came from', () => {
  const fails = (argv: string[], env: NodeJS.ProcessEnv, message: string, singleDash = false) => {
    assert.throws(
      () => parseSettings(TABLE, argv, { env, usageError, singleDash }),
      (err: unknown) => err instanceof Usage && err.message === message,
    );
  };
  fails(['--port', 'x'], {}, '--port must be an integer from 0 to 65535, got "x"');
  fails([], { X_PORT: '-1' }, 'X_PORT must be an integer from 0 to 65535, got "-1"');
  fails(['--pid', '-5'], {}, '--pid must be an integer from 1 to 100, got "-5"');
  fails(['-pid', '0'], {}, '-pid must be an integer from 1 to 100, got "0"', true);
  fails(['--mode', 'x'], {}, '--mode must be auto, on or off, got "x"');
  fails(['--nope'], {}, "Unknown option '--nope'");
  fails(
    ['stray'],
    {},
    "Unexpected argument 'stray'. This command does not take positional arguments",
  );
});

test('Go-style single-dash flags and positionals', () => {
  const parse = (argv: string[]) =>
    parseSettings(TABLE, argv, { env: {}, usageError, singleDash: true, positionals: true });
  const parsed = parse(['-port', '7', 'compare', 'a']);
  assert.equal(parsed.values?.port, 7);
  assert.deepEqual(parsed.positionals, ['compare', 'a']);
  assert.throws(() => parse(['-pid', '-5']), /-pid must be an integer from 1 to 100, got "-5"/);
  assert.deepEqual(parse(['compare', '--', '-port', 'x']).positionals, ['compare', '-port', 'x']);
});

test('--help wins over bad values; a flag is never taken as the value of another', () => {
  const parse = (argv: string[], env: NodeJS.ProcessEnv = {}) =>
    parseSettings(TABLE, argv, { env, usageError });
  assert.deepEqual(parse(['--port', 'x', '--help'], { X_PORT: 'bad' }), {
    help: true,
    positionals: [],
  });
  assert.throws(() => parse(['--id', '--verbose']), /argument is ambiguous/);
  assert.throws(() => parse(['-port', '7']), /Unknown option '-p'/);
});

test('--help lists every setting with its default and variable', () => {
  const text = usageText(TABLE, { usage: 'x [options]', about: 'Does x.' });
  assert.equal(
    text,
    [
      'usage: x [options]',
      '',
      'Does x.',
      '',
      '  --port P                metrics port (default 9100, or X_PORT)',
      '  --pid N                 the target',
      '  --mode M                a | b (default auto)',
      '  --verbose               say more',
      '  -H, --header H          repeatable',
      '  --id ID                 a name (default HOST:PID)',
    ].join('\n'),
  );
});

test('the docs table is read back exactly as declared', () => {
  const rows = docRows(TABLE);
  assert.deepEqual(rows[1], ['`--port P`', '`X_PORT`', '`9100`', 'metrics port']);
  assert.deepEqual(rows[3], ['`--mode M`', '', '`auto`', 'a \\| b']);
  const markdown = [
    'text',
    ...rows.flatMap((row, i) => [
      `| ${row.join(' | ')} |`,
      ...(i === 0 ? [`|${row.map(() => ' --- ').join('|')}|`] : []),
    ]),
    '',
    'after',
  ].join('\n');
  assert.deepEqual(markdownTableRows(markdown, rows[0] ?? []), rows);
  assert.deepEqual(markdownTableRows('no table', ['a']), []);
});

test('rules throw SettingError for the table parser to turn into a usage error', () => {
  assert.throws(() => TABLE.port.parse('x', '--port'), SettingError);
});
