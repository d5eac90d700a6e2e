import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runCampaign, type CampaignOptions } from '../src/campaign.js';
import { mutate, Random } from '../src/mutate.js';

const PLANTED = new URL('./planted.js', import.meta.url).href;

function campaign(target: string, options: Partial<CampaignOptions> = {}) {
  return runCampaign({
    module: PLANTED,
    target,
    seeds: [Buffer.from('AAA')],
    durationMs: 60_000,
    hangMs: 2_000,
    seed: 1,
    ...options,
  });
}

test('mutations are repeated by their seed and never exceed the longest input', () => {
  const run = (seed: number) => {
    const random = new Random(seed);
    const context = {
      random,
      maxLength: 16,
      dictionary: [Buffer.from('TOKEN')],
      other: () => Buffer.from('other input'),
    };
    const out: string[] = [];
    let input: Buffer = Buffer.from('0123456789');
    for (let i = 0; i < 500; i++) {
      input = mutate(input, context);
      assert.ok(input.length <= 16, `${input.length} bytes`);
      out.push(input.toString('hex'));
    }
    return out;
  };
  assert.deepEqual(run(7), run(7));
  assert.notDeepEqual(run(7), run(8));
});

test(
  'coverage finds a three-byte magic that random inputs would need 16 million tries for',
  { timeout: 90_000 },
  async () => {
    const result = await campaign('magic');
    assert.equal(result.finding?.kind, 'crash', JSON.stringify(result.stats));
    assert.equal(result.finding.input.subarray(0, 3).toString(), 'FZ!');
    assert.match(result.finding.error, /^Error: planted/);
    assert.ok(result.stats.execs < 200_000, `${result.stats.execs} inputs`);
  },
);

test(
  'an input that never returns is a hang, reported with that input',
  { timeout: 30_000 },
  async () => {
    const result = await campaign('spin', { seeds: [Buffer.from('ok'), Buffer.from('Hang')] });
    assert.equal(result.finding?.kind, 'hang');
    assert.equal(result.finding.input.toString(), 'Hang');
    assert.equal(result.stats.execs, 2);
  },
);

test(
  'a target that reads everything runs its seeds, then mutations until the end, and finds nothing',
  { timeout: 30_000 },
  async () => {
    const result = await campaign('clean', {
      durationMs: 2_000,
      seeds: [Buffer.from('a'), Buffer.from('b')],
    });
    assert.equal(result.finding, undefined);
    assert.ok(result.stats.execs > 2, `${result.stats.execs} inputs`);
  },
);
