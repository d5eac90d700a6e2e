import koffi, { type LibraryHandle } from 'koffi';
import type { MarkerSymbol } from '@obscost/events';
import { AppError } from './errors.js';

/** Calls the C marker `void app_write(uint64_t bytes)` (or its plain twin), the uprobe's attach point. */
export type Marker = (bytes: number) => void;

export function loadMarker(library: string, symbol: MarkerSymbol = 'app_write'): Marker {
  let lib: LibraryHandle;
  try {
    lib = koffi.load(library);
  } catch (err) {
    throw new AppError(
      'APP_MARKER_LIBRARY',
      `cannot load the marker library ${library} (build it with "npm run build", or set APP_MARKER=off): ${(err as Error).message}`,
      { cause: err },
    );
  }
  return lib.func(`void ${symbol}(uint64_t bytes)`) as Marker;
}
