import { readFileSync } from 'node:fs';
import { SettingError } from './rules.js';
import { setting } from './settings.js';

const PROTOCOLS = ['PLAINTEXT', 'SSL', 'SASL_SSL'] as const;
const MECHANISMS = ['SCRAM-SHA-512', 'SCRAM-SHA-256', 'PLAIN'] as const;
/** kafkajs's names of the mechanisms. */
const KAFKAJS_MECHANISM = {
  'SCRAM-SHA-512': 'scram-sha-512',
  'SCRAM-SHA-256': 'scram-sha-256',
  PLAIN: 'plain',
} as const;

/**
 * How a Kafka client of ours reaches the cluster, with the names Kafka's own clients use
 * (security.protocol, sasl.mechanism). SASL without TLS is not offered: a login sent in the
 * clear, or SCRAM's proof open to a downgrade, is what turning security on should prevent.
 */
export const KAFKA_SECURITY_SETTINGS = {
  kafkaSecurityProtocol: setting.choice({
    flag: 'kafka-security-protocol',
    env: 'KAFKA_SECURITY_PROTOCOL',
    placeholder: 'P',
    default: 'PLAINTEXT',
    help: 'PLAINTEXT, SSL (TLS) or SASL_SSL (TLS, then a SASL login)',
    choices: PROTOCOLS,
  }),
  kafkaCaFile: setting.path({
    flag: 'kafka-ca-file',
    env: 'KAFKA_CA_FILE',
    placeholder: 'FILE',
    help: "PEM certificates that sign the brokers' (without it, the system's)",
  }),
  kafkaSaslMechanism: setting.choice({
    flag: 'kafka-sasl-mechanism',
    env: 'KAFKA_SASL_MECHANISM',
    placeholder: 'M',
    default: 'SCRAM-SHA-512',
    help: 'SCRAM-SHA-512, SCRAM-SHA-256 or PLAIN',
    choices: MECHANISMS,
  }),
  kafkaSaslUsername: setting.text({
    flag: 'kafka-sasl-username',
    env: 'KAFKA_SASL_USERNAME',
    placeholder: 'NAME',
    help: 'the SASL user',
  }),
  kafkaSaslPassword: setting.text({
    env: 'KAFKA_SASL_PASSWORD',
    help: "the SASL user's password (no flag: a command line is readable by every user in ps)",
  }),
};

export interface KafkaSecurityValues {
  readonly kafkaSecurityProtocol: (typeof PROTOCOLS)[number];
  readonly kafkaCaFile: string | undefined;
  readonly kafkaSaslMechanism: (typeof MECHANISMS)[number];
  readonly kafkaSaslUsername: string | undefined;
  readonly kafkaSaslPassword: string | undefined;
}

/** kafkajs's `ssl` and `sasl` client options, for `new Kafka({ ...security })`. */
export interface KafkaClientSecurity {
  readonly ssl?: { readonly ca: string[] } | true;
  readonly sasl?: SaslLogin;
}

type KafkajsMechanism = (typeof KAFKAJS_MECHANISM)[keyof typeof KAFKAJS_MECHANISM];

/** One object type per mechanism, as kafkajs declares its options. */
type SaslLogin = {
  [M in KafkajsMechanism]: {
    readonly mechanism: M;
    readonly username: string;
    readonly password: string;
  };
}[KafkajsMechanism];

/**
 * A service's parsed values split into the Kafka client options they ask for and the other
 * values (so the password goes no further). A contradiction or an unreadable file is the
 * service's usage error, naming it.
 */
export function takeKafkaSecurity<V extends KafkaSecurityValues>(
  values: V,
  usageError: (message: string) => Error,
): { security: KafkaClientSecurity; rest: Omit<V, keyof KafkaSecurityValues> } {
  let security;
  try {
    security = clientSecurity(values);
  } catch (err) {
    if (err instanceof SettingError) throw usageError(err.message);
    throw err;
  }
  const securityKeys = new Set(Object.keys(KAFKA_SECURITY_SETTINGS));
  const rest = Object.fromEntries(Object.entries(values).filter(([key]) => !securityKeys.has(key)));
  return { security, rest: rest as Omit<V, keyof KafkaSecurityValues> };
}

function clientSecurity(values: KafkaSecurityValues): KafkaClientSecurity {
  const protocol = values.kafkaSecurityProtocol;
  const { kafkaCaFile: caFile, kafkaSaslUsername: username, kafkaSaslPassword: password } = values;
  if (protocol === 'PLAINTEXT' && caFile !== undefined) {
    throw new SettingError('--kafka-ca-file needs --kafka-security-protocol SSL or SASL_SSL');
  }
  if (protocol !== 'SASL_SSL' && (username !== undefined || password !== undefined)) {
    throw new SettingError(
      'a SASL user (--kafka-sasl-username, KAFKA_SASL_PASSWORD) needs --kafka-security-protocol SASL_SSL',
    );
  }
  if (protocol === 'PLAINTEXT') return {};
  const ssl = caFile === undefined ? true : { ca: [readCertificates(caFile)] };
  if (protocol === 'SSL') return { ssl };
  if (!username || !password) {
    throw new SettingError(
      '--kafka-security-protocol SASL_SSL needs --kafka-sasl-username and KAFKA_SASL_PASSWORD',
    );
  }
  const mechanism = KAFKAJS_MECHANISM[values.kafkaSaslMechanism];
  return { ssl, sasl: { mechanism, username, password } };
}

function readCertificates(file: string): string {
  let text;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new SettingError(`--kafka-ca-file ${file}: ${(err as Error).message}`);
  }
  if (!text.includes('-----BEGIN CERTIFICATE-----')) {
    throw new SettingError(`--kafka-ca-file ${file} holds no PEM certificate`);
  }
  return text;
}
