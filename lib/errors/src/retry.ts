import { causes, codedCause } from './cause-chain.js';
import { CodedError } from './coded-error.js';

/**
 * Whether a retry may cure `err`. Our own catalogue knows best: the first coded error in the
 * cause chain decides. Otherwise the deepest error that carries a `retriable` flag decides, as
 * kafkajs's errors do: its "retries exceeded" wrapper (false) says the retrier gave up, while
 * the failure under it (a refused connection, true) says whether it lasts. An error with no
 * flag anywhere (a dropped socket) is taken as retriable.
 */
export function isRetriable(err: unknown): boolean {
  const chain = causes(err);
  const coded = chain.find((e) => e instanceof CodedError);
  if (coded) return coded.retriable;
  let retriable = true;
  for (const e of chain) {
    const flag = (e as { retriable?: unknown }).retriable;
    if (typeof flag === 'boolean') retriable = flag;
  }
  return retriable;
}

/**
 * Node's codes for a broker certificate that TLS refuses (openssl's verify errors and Node's
 * host-name check): a setting to fix, never an outage to wait out.
 */
const CERTIFICATE_REFUSED = /^(UNABLE_TO_\w+|\w*CERT\w*)$/;

/**
 * Why Kafka and this client cannot talk however long they try, if that is what `err` says: a
 * SASL login the broker refused, or a broker certificate this client does not trust. kafkajs
 * flags the first as final but the second as a retriable connection error.
 */
export function kafkaRefusal(err: unknown): string | undefined {
  for (const e of causes(err)) {
    if (e.name === 'KafkaJSSASLAuthenticationError')
      return `the SASL login was refused: ${e.message}`;
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && CERTIFICATE_REFUSED.test(code)) {
      return `the broker's TLS certificate is not trusted (${code}): ${e.message}`;
    }
  }
  return undefined;
}

/**
 * The coded error in `err`'s cause chain that its catalogue says no retry can cure, if any.
 * A service that retries Kafka's own failures for as long as it runs (kafkajs's retrier reads
 * their flags itself) stops on this one, with its line.
 */
export function permanentCause(err: unknown): CodedError | undefined {
  const coded = codedCause(err);
  return coded?.retriable === false ? coded : undefined;
}
