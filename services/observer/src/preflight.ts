import { existsSync } from 'node:fs';
import { missingCapabilities } from './capabilities.js';
import { ObserverError } from './errors.js';

export const TRACEFS = '/sys/kernel/tracing';

/**
 * What the system must offer before anything is loaded, each refused with the error that
 * says how to get it: the capabilities, tracefs (tracepoints attach through it) and the
 * kernel's BTF (CO-RE relocations read it).
 */
export function preflight({ btfPath }: { readonly btfPath: string }): void {
  const missing = missingCapabilities();
  if (missing.length > 0) {
    throw new ObserverError(
      'OBS_MISSING_CAPABILITIES',
      `missing capabilities: ${missing.join(', ')} (run as root, or grant them)`,
    );
  }
  if (!existsSync(`${TRACEFS}/events/syscalls`)) {
    throw new ObserverError(
      'OBS_TRACEFS',
      `tracefs is not mounted at ${TRACEFS}: mount -t tracefs nodev ${TRACEFS} (npm run setup does)`,
    );
  }
  if (!existsSync(btfPath)) {
    throw new ObserverError(
      'OBS_NO_BTF',
      `no kernel BTF at ${btfPath}: CO-RE needs a kernel built with CONFIG_DEBUG_INFO_BTF`,
    );
  }
}
