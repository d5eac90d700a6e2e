import { DEFAULT_KAFKA_BROKERS } from './defaults.js';
import { KAFKA_SECURITY_SETTINGS } from './kafka-security.js';
import { setting } from './settings.js';

/**
 * How a Kafka client of ours finds the events: the brokers, TLS and a login, the topic. The
 * observer and the aggregator take the same flags and variables; each says in its own words
 * what they are for.
 */
export function kafkaClientSettings(words: {
  brokersHelp: string;
  topicHelp: string;
  defaultTopic: string;
}) {
  return {
    brokers: setting.brokers({
      flag: 'kafka-brokers',
      env: 'KAFKA_BROKERS',
      placeholder: 'LIST',
      default: DEFAULT_KAFKA_BROKERS,
      help: words.brokersHelp,
    }),
    ...KAFKA_SECURITY_SETTINGS,
    topic: setting.topic({
      flag: 'topic',
      env: 'KAFKA_EVENTS_TOPIC',
      placeholder: 'T',
      default: words.defaultTopic,
      help: words.topicHelp,
    }),
  };
}
