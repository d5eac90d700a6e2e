import { errorClass, failure, usage } from '@obscost/errors';

/**
 * The errors the aggregator and replay raise, one code each (docs/aggregator.md, "Errors").
 * None but AGG_NOT_CONNECTED and AGG_NO_TOPIC is retriable: kafkajs's retrier and the consumer's own retries
 * read the flag, so a fatal one stops the aggregator with its line instead of looping.
 */
export const ERRORS = {
  AGG_USAGE: usage('bad command-line flags or environment variables'),
  AGG_NOT_CONNECTED: failure('Kafka was asked before the clients connected', { retriable: true }),
  AGG_NO_TOPIC: failure('the events or dead-letter topic does not exist (yet)', {
    retriable: true,
  }),
  AGG_KAFKA_REFUSED: failure('Kafka refused the SASL login, or its TLS certificate is not trusted'),
  AGG_FOREIGN_OFFSETS: failure("a partition's committed offset carries no aggregator totals"),
  AGG_SNAPSHOT_VERSION: failure('offset metadata in a snapshot format this version cannot read'),
  AGG_SNAPSHOT_TOO_LARGE: failure("a partition's totals are larger than an offset commit carries"),
  AGG_METADATA_REFUSED: failure("the broker refused a partition's totals as offset metadata"),
  AGG_NO_SUCH_FILE: failure('replay: the capture file does not exist'),
  AGG_NOT_A_CAPTURE: failure('replay: the file is not a capture file of event batches'),
  AGG_CAPTURE_CUT_SHORT: failure(
    'replay: the capture file ends inside a block; the batches before it were sent',
  ),
} as const;

export type AggregatorErrorCode = keyof typeof ERRORS;

export class AggregatorError extends errorClass('AggregatorError', ERRORS) {}

/** parseSettings's usage error for the aggregator and replay. */
export const usageError = (message: string): AggregatorError =>
  new AggregatorError('AGG_USAGE', message);
