/**
 * Reads the file entries of a ZIP archive held in memory (Firehose's `ZIP` compression), from its central
 * directory as the format requires (PKWARE APPNOTE 4.3): sizes and CRC-32 come from there, so entries written
 * with a data descriptor (sizes after the data) read like any other. Stored (method 0) and deflate (method 8)
 * entries are read, ZIP64 archives too; the CRC-32 of every entry is checked.
 */
import { promisify } from 'node:util';
import { inflateRaw } from 'node:zlib';
import { crc32 } from './crc32.js';
import { CompressedObjectError, DecompressedSizeError, reasonOf } from './errors.js';

const inflateRawAsync = promisify(inflateRaw);

const LOCAL_FILE_HEADER = 0x04034b50;
const CENTRAL_DIRECTORY_HEADER = 0x02014b50;
const END_OF_CENTRAL_DIRECTORY = 0x06054b50;
const ZIP64_END_OF_CENTRAL_DIRECTORY = 0x06064b50;
const ZIP64_END_LOCATOR = 0x07064b50;
const ZIP64_EXTRA_FIELD = 0x0001;
const END_OF_CENTRAL_DIRECTORY_SIZE = 22;
const ZIP64_END_LOCATOR_SIZE = 20;
const CENTRAL_DIRECTORY_HEADER_SIZE = 46;
const LOCAL_FILE_HEADER_SIZE = 30;
const STORED = 0;
const DEFLATED = 8;
const ENCRYPTED = 0x0001;

/** Bytes a ZIP archive starts with: a local file header, or the end record of an empty archive. */
export const ZIP_MAGICS: readonly (readonly number[])[] = [
  [0x50, 0x4b, 0x03, 0x04],
  [0x50, 0x4b, 0x05, 0x06],
];

const corrupt = (what: string) => new CompressedObjectError(`the ZIP archive is corrupt or cut off: ${what}`);

/** Reads a little-endian 64-bit field as a number; larger than the archive means corrupt, so it always fits. */
function readUint64(view: DataView, offset: number): number {
  const value = view.getBigUint64(offset, true);
  return value > BigInt(Number.MAX_SAFE_INTEGER) ? Number.POSITIVE_INFINITY : Number(value);
}

/** Where the central directory is and how many entries it has, from the end record (and its ZIP64 version). */
function findCentralDirectory(
  archive: Buffer,
  view: DataView,
): { offset: number; size: number; entries: number } {
  let end = -1;
  const lowest = Math.max(0, archive.length - END_OF_CENTRAL_DIRECTORY_SIZE - 0xffff);
  for (let index = archive.length - END_OF_CENTRAL_DIRECTORY_SIZE; index >= lowest; index--) {
    if (
      view.getUint32(index, true) === END_OF_CENTRAL_DIRECTORY &&
      index + END_OF_CENTRAL_DIRECTORY_SIZE + view.getUint16(index + 20, true) === archive.length
    ) {
      end = index;
      break;
    }
  }
  if (end === -1) throw corrupt('no end of central directory record at the end of the object');
  const disk = view.getUint16(end + 4, true);
  const directoryDisk = view.getUint16(end + 6, true);
  let entries = view.getUint16(end + 10, true);
  let size = view.getUint32(end + 12, true);
  let offset = view.getUint32(end + 16, true);
  let directoryEnd = end;
  const locator = end - ZIP64_END_LOCATOR_SIZE;
  if (locator >= 0 && view.getUint32(locator, true) === ZIP64_END_LOCATOR) {
    const zip64End = readUint64(view, locator + 8);
    if (zip64End + 56 > locator || view.getUint32(zip64End, true) !== ZIP64_END_OF_CENTRAL_DIRECTORY) {
      throw corrupt('the ZIP64 end of central directory record is missing');
    }
    if (view.getUint32(zip64End + 16, true) !== 0 || view.getUint32(zip64End + 20, true) !== 0) {
      throw new CompressedObjectError('the ZIP archive is split across several files: join them first');
    }
    entries = readUint64(view, zip64End + 32);
    size = readUint64(view, zip64End + 40);
    offset = readUint64(view, zip64End + 48);
    directoryEnd = zip64End;
  } else if (entries === 0xffff || size === 0xffffffff || offset === 0xffffffff) {
    throw corrupt('a ZIP64 archive without its ZIP64 end of central directory record');
  } else if (disk !== 0 || directoryDisk !== 0) {
    throw new CompressedObjectError('the ZIP archive is split across several files: join them first');
  }
  if (offset + size > directoryEnd) throw corrupt('the central directory is not where the end record says');
  if (entries * CENTRAL_DIRECTORY_HEADER_SIZE > size) throw corrupt('the central directory is too short');
  return { offset, size, entries };
}

/** One central directory entry, its 32-bit fields replaced by their ZIP64 values where they overflowed. */
interface ZipEntry {
  readonly flags: number;
  readonly method: number;
  readonly crc: number;
  readonly compressedSize: number;
  readonly uncompressedSize: number;
  readonly localHeaderOffset: number;
  readonly isDirectory: boolean;
}

function readEntry(archive: Buffer, view: DataView, at: number, limit: number, label: string): ZipEntry {
  if (at + CENTRAL_DIRECTORY_HEADER_SIZE > limit || view.getUint32(at, true) !== CENTRAL_DIRECTORY_HEADER) {
    throw corrupt(`${label}: its central directory header is missing`);
  }
  const nameLength = view.getUint16(at + 28, true);
  const extraLength = view.getUint16(at + 30, true);
  const commentLength = view.getUint16(at + 32, true);
  const extraStart = at + CENTRAL_DIRECTORY_HEADER_SIZE + nameLength;
  if (extraStart + extraLength + commentLength > limit) {
    throw corrupt(`${label}: its central directory header runs past the directory`);
  }
  let uncompressedSize = view.getUint32(at + 24, true);
  let compressedSize = view.getUint32(at + 20, true);
  let localHeaderOffset = view.getUint32(at + 42, true);
  if (uncompressedSize === 0xffffffff || compressedSize === 0xffffffff || localHeaderOffset === 0xffffffff) {
    // The ZIP64 extended information field holds, in this order, the fields that are 0xffffffff above.
    let field = extraStart;
    let found = false;
    while (field + 4 <= extraStart + extraLength) {
      const id = view.getUint16(field, true);
      const fieldSize = view.getUint16(field + 2, true);
      const dataEnd = field + 4 + fieldSize;
      if (dataEnd > extraStart + extraLength) break;
      if (id === ZIP64_EXTRA_FIELD) {
        let next = field + 4;
        const take = () => {
          if (next + 8 > dataEnd) throw corrupt(`${label}: its ZIP64 extra field is too short`);
          const value = readUint64(view, next);
          next += 8;
          return value;
        };
        if (uncompressedSize === 0xffffffff) uncompressedSize = take();
        if (compressedSize === 0xffffffff) compressedSize = take();
        if (localHeaderOffset === 0xffffffff) localHeaderOffset = take();
        found = true;
        break;
      }
      field = dataEnd;
    }
    if (!found) throw corrupt(`${label}: a size is 0xffffffff and there is no ZIP64 extra field`);
  }
  const name = archive.subarray(at + CENTRAL_DIRECTORY_HEADER_SIZE, extraStart);
  return {
    flags: view.getUint16(at + 8, true),
    method: view.getUint16(at + 10, true),
    crc: view.getUint32(at + 16, true),
    compressedSize,
    uncompressedSize,
    localHeaderOffset,
    isDirectory: name.length > 0 && name[name.length - 1] === 0x2f,
  };
}

/**
 * The contents of the file entries of a ZIP archive, in central directory order (directories left out). Throws
 * `CompressedObjectError` for a corrupt or truncated archive (no end record, headers out of place, a CRC-32 or size
 * that does not match), an encrypted entry, a method other than stored or deflate, or an archive split across
 * several files; `DecompressedSizeError` when the entries would add up to more than `maxLength` bytes (checked
 * against the sizes the archive declares before anything is inflated, and held to while inflating). Messages name
 * entries by number, never by name or content.
 */
export async function readZipEntries(
  archive: Buffer,
  maxLength = Number.POSITIVE_INFINITY,
): Promise<readonly Buffer[]> {
  if (archive.length < END_OF_CENTRAL_DIRECTORY_SIZE) {
    throw corrupt('the object is too short to be a ZIP archive');
  }
  const view = new DataView(archive.buffer, archive.byteOffset, archive.byteLength);
  const directory = findCentralDirectory(archive, view);
  const directoryEnd = directory.offset + directory.size;
  const entries: ZipEntry[] = [];
  let at = directory.offset;
  for (let index = 0; index < directory.entries; index++) {
    const entry = readEntry(archive, view, at, directoryEnd, `entry ${index + 1} of ${directory.entries}`);
    entries.push(entry);
    at +=
      CENTRAL_DIRECTORY_HEADER_SIZE +
      view.getUint16(at + 28, true) +
      view.getUint16(at + 30, true) +
      view.getUint16(at + 32, true);
  }
  let total = 0;
  for (const entry of entries) {
    if (!entry.isDirectory) total += entry.uncompressedSize;
  }
  if (total > maxLength) throw new DecompressedSizeError(maxLength);

  const contents: Buffer[] = [];
  for (const [index, entry] of entries.entries()) {
    if (entry.isDirectory) continue;
    const label = `entry ${index + 1} of ${entries.length}`;
    if ((entry.flags & ENCRYPTED) !== 0) {
      throw new CompressedObjectError(`ZIP ${label} is encrypted: decrypt the archive first`);
    }
    if (entry.method !== STORED && entry.method !== DEFLATED) {
      throw new CompressedObjectError(
        `ZIP ${label} uses compression method ${entry.method} (stored and deflate are read): extract it first`,
      );
    }
    const local = entry.localHeaderOffset;
    if (
      local + LOCAL_FILE_HEADER_SIZE > directory.offset ||
      view.getUint32(local, true) !== LOCAL_FILE_HEADER
    ) {
      throw corrupt(`${label}: its local header is not where the central directory says`);
    }
    const dataStart =
      local + LOCAL_FILE_HEADER_SIZE + view.getUint16(local + 26, true) + view.getUint16(local + 28, true);
    const dataEnd = dataStart + entry.compressedSize;
    if (dataEnd > directory.offset) throw corrupt(`${label}: its data runs past the end of the entries`);
    const data = archive.subarray(dataStart, dataEnd);
    let content: Buffer;
    if (entry.method === STORED) {
      if (entry.compressedSize !== entry.uncompressedSize) {
        throw corrupt(`${label}: a stored entry whose two sizes differ`);
      }
      content = data;
    } else {
      try {
        content = await inflateRawAsync(data, { maxOutputLength: Math.max(1, entry.uncompressedSize) });
      } catch (error) {
        throw corrupt(
          (error as { code?: unknown }).code === 'ERR_BUFFER_TOO_LARGE'
            ? `${label}: it inflates to more than the ${entry.uncompressedSize} bytes the central directory says`
            : `${label}: it does not inflate: ${reasonOf(error)}`,
        );
      }
    }
    if (content.length !== entry.uncompressedSize) {
      throw corrupt(
        `${label}: it holds ${content.length} bytes, not the ${entry.uncompressedSize} the central directory says`,
      );
    }
    if (crc32(content) !== entry.crc) throw corrupt(`${label}: its CRC-32 does not match its data`);
    contents.push(content);
  }
  return contents;
}
