import { accessSync, constants, statSync } from 'node:fs';
import path from 'node:path';

/**
 * Where `command` would be run from: the first file of that name on PATH that this process
 * may execute, or undefined when there is none. A name with a slash is that file, as a shell
 * takes it.
 */
export function which(command: string): string | undefined {
  const candidates = command.includes('/')
    ? [command]
    : (process.env.PATH ?? '')
        .split(path.delimiter)
        .filter((dir) => dir !== '')
        .map((dir) => path.join(dir, command));
  for (const file of candidates) {
    try {
      accessSync(file, constants.X_OK);
      if (statSync(file).isFile()) return file;
    } catch {
      // Not here, or not executable.
    }
  }
  return undefined;
}
