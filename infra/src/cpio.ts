/**
 * A cpio archive in the "newc" format, the one the kernel unpacks as an initramfs: each
 * entry a 110-byte ASCII header, its name and its data, both padded to 4 bytes, and a
 * TRAILER!!! entry at the end. Written here rather than by cpio(1), so an initramfs needs
 * neither a staging directory nor root for its device node.
 */
export type CpioEntry =
  | { readonly kind: 'dir'; readonly path: string }
  | { readonly kind: 'file'; readonly path: string; readonly data: Buffer; readonly mode: number }
  | {
      readonly kind: 'char';
      readonly path: string;
      readonly major: number;
      readonly minor: number;
    };

const S_IFDIR = 0o040000;
const S_IFREG = 0o100000;
const S_IFCHR = 0o020000;

const hex8 = (value: number) => value.toString(16).padStart(8, '0');
const padding = (length: number) => Buffer.alloc((4 - (length % 4)) % 4);

function record(ino: number, name: string, mode: number, data: Buffer, rdev = [0, 0]): Buffer {
  const nameBytes = Buffer.from(`${name}\0`);
  const fields = [ino, mode, 0, 0, 1, 0, data.length, 0, 0, rdev[0] ?? 0, rdev[1] ?? 0];
  const header = Buffer.from(
    `070701${fields.map(hex8).join('')}${hex8(nameBytes.length)}${hex8(0)}`,
    'ascii',
  );
  const named = Buffer.concat([header, nameBytes]);
  return Buffer.concat([named, padding(named.length), data, padding(data.length)]);
}

export function cpioArchive(entries: readonly CpioEntry[]): Buffer {
  const records = entries.map((entry, index) => {
    const ino = index + 1;
    switch (entry.kind) {
      case 'dir':
        return record(ino, entry.path, S_IFDIR | 0o755, Buffer.alloc(0));
      case 'file':
        return record(ino, entry.path, S_IFREG | entry.mode, entry.data);
      case 'char':
        return record(ino, entry.path, S_IFCHR | 0o600, Buffer.alloc(0), [
          entry.major,
          entry.minor,
        ]);
    }
  });
  return Buffer.concat([...records, record(0, 'TRAILER!!!', 0, Buffer.alloc(0))]);
}
