import {
  KAFKA_SECURITY_SETTINGS,
  parseSettings,
  setting,
  takeKafkaSecurity,
  usageText,
  type KafkaClientSecurity,
} from '@obscost/flags';
import { SETTINGS } from './config.js';
import { usageError } from './errors.js';

export interface ReplayConfig {
  readonly file: string;
  /** Events per second at most; undefined for as fast as Kafka takes them. */
  readonly rate: number | undefined;
  readonly brokers: string[];
  readonly security: KafkaClientSecurity;
  readonly topic: string;
}

export const REPLAY_SETTINGS = {
  rate: setting.positiveNumber({
    flag: 'rate',
    placeholder: 'R',
    help: 'events per second at most (without it, as fast as Kafka takes them)',
  }),
  // The same flags, variables and defaults as the aggregator's: one topic, one cluster.
  brokers: SETTINGS.brokers,
  ...KAFKA_SECURITY_SETTINGS,
  topic: SETTINGS.topic,
};

export const REPLAY_USAGE = usageText(REPLAY_SETTINGS, {
  usage: 'npm run replay -- CAPTURE.avro [options]',
  about:
    'Publishes the batches of a capture file (observer --capture) to the events topic as the ' +
    'observer sent them: same framing, observer id, sequence numbers and record key.',
});

/** Replay's configuration, frozen; undefined after --help. */
export function parseReplayArgs(
  argv: string[],
  env: NodeJS.ProcessEnv = process.env,
): ReplayConfig | undefined {
  const { values, positionals, help } = parseSettings(REPLAY_SETTINGS, argv, {
    env,
    usageError,
    positionals: true,
  });
  if (help) return undefined;
  const [file, ...more] = positionals;
  if (file === undefined || more.length > 0) throw usageError('name exactly one capture file');
  const { security, rest } = takeKafkaSecurity(values, usageError);
  return Object.freeze({ file, ...rest, security });
}
