export { durationRule, formatDuration, parseDuration } from './duration.js';
export { DEFAULT_KAFKA_BROKERS, DEFAULT_OTLP_HTTP_ENDPOINT, LOOPBACK, PORTS } from './defaults.js';
export {
  brokersRule,
  bytesOf,
  choiceListRule,
  choiceRule,
  integerRule,
  positiveIntegerRule,
  positiveNumberRule,
  SettingError,
  sizeRule,
  topicRule,
  urlRule,
} from './rules.js';
export { kafkaClientSettings } from './kafka-client.js';
export {
  KAFKA_SECURITY_SETTINGS,
  takeKafkaSecurity,
  type KafkaClientSecurity,
  type KafkaSecurityValues,
} from './kafka-security.js';
export { docRows, markdownTableRows, usageText } from './help.js';
export {
  flagName,
  parseEnvironment,
  parseSettings,
  setting,
  type Parsed,
  type ParseOptions,
  type Setting,
  type SettingsTable,
  type SettingValues,
} from './settings.js';
