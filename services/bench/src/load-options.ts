/**
 * The request every connection of a run sends: what target.ts serializes. Apart from the
 * load's other options so that target.ts and load.ts share it without importing each other.
 */
export interface RequestSpec {
  url: URL;
  method: string;
  headers: [string, string][];
  body: Buffer | undefined;
}

/** What a run does: the bench's flags, read (settings.ts), or the main job's scenarios. */
export interface LoadOptions extends RequestSpec {
  conns: number;
  /** Issuing stops after this long; Infinity when only a request count bounds the run. */
  durationMs: number;
  /** Open model: requests per second on schedule. Closed model when undefined. */
  rate: number | undefined;
  /** Stop issuing after this many requests. */
  requests: number | undefined;
  /** A request without a complete response after this long counts as a timeout. */
  timeoutMs: number;
}
