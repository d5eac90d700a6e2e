import path from 'node:path';
import { setting, SettingError } from '@obscost/flags';

/**
 * The service the user named, instead of the project's app: how to start it, where it
 * answers, and what the approaches may use of it.
 */
export interface ServiceSpec {
  /** The command line, run by `sh -c 'exec …'`: one command and its arguments. */
  command: string;
  /** Where it answers: scheme, host and port; the load's route is `path`. */
  origin: string;
  /** The route the load requests. */
  path: string;
  runtime: ServiceRuntime;
  /**
   * The command name the probes follow (--service-comm), every process of that name; without
   * it they follow the process the comparison started and the processes it starts.
   */
  comm?: string;
  /** A function it calls once a response, for the uprobe. */
  marker?: ServiceMarker;
  /** Its own request log, a line a request, for the sidecar. */
  log?: ServiceLog;
}

/** The request log formats the sidecar reads (otel/service-log-<format>.yaml). */
export const SERVICE_LOG_FORMATS = ['clf', 'json'] as const;
export type ServiceLogFormat = (typeof SERVICE_LOG_FORMATS)[number];

/** The file the service appends its request log to, and the format of its lines. */
export interface ServiceLog {
  file: string;
  format: ServiceLogFormat;
}

/** The runtimes a service may name: which zero-code instrumentation, which calling convention. */
export const SERVICE_RUNTIMES = ['node', 'python', 'go', 'java', 'other'] as const;
export type ServiceRuntime = (typeof SERVICE_RUNTIMES)[number];

/** The file that holds the marker function, and its symbol. */
export interface ServiceMarker {
  file: string;
  symbol: string;
}

/** FILE:SYMBOL, the file made absolute. */
function markerRule(name: string, text: string): ServiceMarker {
  const colon = text.lastIndexOf(':');
  const symbol = text.slice(colon + 1);
  if (colon <= 0 || symbol === '') {
    throw new SettingError(
      `${name} must be FILE:SYMBOL, e.g. ./server:main.AppWrite, got "${text}"`,
    );
  }
  return { file: path.resolve(text.slice(0, colon)), symbol };
}

/** The kernel keeps a command name in 16 bytes, its last a NUL. */
const COMM_MAX = 15;

/**
 * A command name as /proc/PID/comm shows it: at most 15 characters, which bpftrace's filter
 * quotes (no quote or backslash).
 */
function commRule(name: string, text: string): string {
  if (text === '' || text.length > COMM_MAX) {
    throw new SettingError(
      `${name} must be a command name of 1 to ${COMM_MAX} characters, as /proc/PID/comm shows it (the kernel cuts longer names), got "${text}"`,
    );
  }
  if (/["\\\n]/.test(text)) {
    throw new SettingError(
      `${name} must not hold a quote, a backslash or a newline, got "${text}"`,
    );
  }
  return text;
}

/** An http:// URL with a host and a port, the route optional. */
function serviceUrlRule(name: string, text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new SettingError(
      `${name} must be a URL such as http://127.0.0.1:8080/ping, got "${text}"`,
    );
  }
  if (url.protocol !== 'http:') {
    throw new SettingError(`${name} must be an http:// URL, got "${text}"`);
  }
  if (url.port === '') {
    throw new SettingError(`${name} must name the port the service listens on, got "${text}"`);
  }
  return url;
}

/** The flags that name a service (docs/service.md). */
export const SERVICE_SETTINGS = {
  service: setting.text({
    flag: 'service',
    placeholder: "'CMD ARGS'",
    help: "compare on this service instead of the project's app: started fresh for each scenario, pinned as the app is",
  }),
  serviceUrl: setting.custom({
    flag: 'service-url',
    placeholder: 'URL',
    help: 'where --service answers, e.g. http://127.0.0.1:8080/ping (the path, if any, replaces --path)',
    parse: (text: string, name: string) => serviceUrlRule(name, text),
  }),
  serviceRuntime: setting.choice({
    flag: 'service-runtime',
    placeholder: SERVICE_RUNTIMES.join('|'),
    default: 'other',
    help: "the service's runtime: for go, the marker's argument is read as Go passes it",
    choices: SERVICE_RUNTIMES,
  }),
  serviceComm: setting.custom({
    flag: 'service-comm',
    placeholder: 'NAME',
    help: 'how the probes find the service: every process of this command name (/proc/PID/comm); without it, the process started and the processes it starts',
    parse: (text: string, name: string) => commRule(name, text),
  }),
  serviceMarker: setting.custom({
    flag: 'service-marker',
    placeholder: 'FILE:SYMBOL',
    help: 'a function the service calls once a response (e.g. ./server:main.AppWrite): the observer puts its uprobe on it',
    parse: (text: string, name: string) => markerRule(name, text),
  }),
  serviceLog: setting.custom({
    flag: 'service-log',
    placeholder: 'FILE',
    help: "the service's own request log, a line a request, appended to: the sidecar tails it",
    parse: (text: string) => path.resolve(text),
  }),
  serviceLogFormat: setting.choice({
    flag: 'service-log-format',
    placeholder: SERVICE_LOG_FORMATS.join('|'),
    default: 'clf',
    help: '--service-log\'s lines: clf (host ident user [time] "request" status bytes) or json',
    choices: SERVICE_LOG_FORMATS,
  }),
};

interface ServiceFlags {
  service?: string | undefined;
  serviceUrl?: URL | undefined;
  serviceRuntime: ServiceRuntime;
  serviceComm?: string | undefined;
  serviceMarker?: ServiceMarker | undefined;
  serviceLog?: string | undefined;
  serviceLogFormat: ServiceLogFormat;
  path: string;
}

/**
 * The service the flags name, or undefined for the project's app; a flag that needs
 * --service without it, or --service without --service-url, is a SettingError.
 */
export function serviceSpecOf(flags: ServiceFlags): ServiceSpec | undefined {
  if (flags.service === undefined) {
    if (flags.serviceUrl !== undefined) throw new SettingError('--service-url needs --service');
    if (flags.serviceComm !== undefined) throw new SettingError('--service-comm needs --service');
    if (flags.serviceMarker !== undefined) {
      throw new SettingError('--service-marker needs --service');
    }
    if (flags.serviceLog !== undefined) throw new SettingError('--service-log needs --service');
    return undefined;
  }
  if (flags.service.trim() === '') throw new SettingError('--service must name a command');
  if (flags.serviceUrl === undefined) {
    throw new SettingError('--service needs --service-url: where the service answers');
  }
  const route = flags.serviceUrl.pathname + flags.serviceUrl.search;
  return {
    command: flags.service,
    origin: flags.serviceUrl.origin,
    path: route === '/' ? flags.path : route,
    runtime: flags.serviceRuntime,
    ...(flags.serviceComm === undefined ? {} : { comm: flags.serviceComm }),
    ...(flags.serviceMarker === undefined ? {} : { marker: flags.serviceMarker }),
    ...(flags.serviceLog === undefined
      ? {}
      : { log: { file: flags.serviceLog, format: flags.serviceLogFormat } }),
  };
}
