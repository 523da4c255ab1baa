#!/usr/bin/env node
// Packs dist/index.mjs into lambda.zip (index.mjs at the zip root, handler `index.handler`) and prints
// both sizes. Written with node:zlib (deflateRaw + crc32), so no zip tool or dependency is needed.
// The entry's timestamp is fixed, so the same bundle always gives the same zip.
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { crc32, deflateRawSync } from 'node:zlib';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bundlePath = join(root, 'dist', 'index.mjs');
const zipPath = join(root, 'lambda.zip');

/** Builds a single-entry zip archive (PKWARE APPNOTE 6.3: local header, data, central directory, end record). */
export function zipSingleFile(name, content) {
  const fileName = Buffer.from(name, 'utf8');
  const compressed = deflateRawSync(content, { level: 9 });
  const checksum = crc32(content) >>> 0;
  const dosTime = 0; // 00:00:00
  const dosDate = ((2024 - 1980) << 9) | (1 << 5) | 1; // 2024-01-01

  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt16LE(20, 4); // version needed: 2.0 (deflate)
  local.writeUInt16LE(0x0800, 6); // UTF-8 file name
  local.writeUInt16LE(8, 8); // deflate
  local.writeUInt16LE(dosTime, 10);
  local.writeUInt16LE(dosDate, 12);
  local.writeUInt32LE(checksum, 14);
  local.writeUInt32LE(compressed.length, 18);
  local.writeUInt32LE(content.length, 22);
  local.writeUInt16LE(fileName.length, 26);
  local.writeUInt16LE(0, 28);

  const central = Buffer.alloc(46);
  central.writeUInt32LE(0x02014b50, 0);
  central.writeUInt16LE((3 << 8) | 20, 4); // made by: Unix, 2.0
  central.writeUInt16LE(20, 6);
  central.writeUInt16LE(0x0800, 8);
  central.writeUInt16LE(8, 10);
  central.writeUInt16LE(dosTime, 12);
  central.writeUInt16LE(dosDate, 14);
  central.writeUInt32LE(checksum, 16);
  central.writeUInt32LE(compressed.length, 20);
  central.writeUInt32LE(content.length, 24);
  central.writeUInt16LE(fileName.length, 28);
  central.writeUInt16LE(0, 30); // extra
  central.writeUInt16LE(0, 32); // comment
  central.writeUInt16LE(0, 34); // disk
  central.writeUInt16LE(0, 36); // internal attributes
  central.writeUInt32LE(((0o100644 << 16) >>> 0) >>> 0, 38); // -rw-r--r--
  central.writeUInt32LE(0, 42); // offset of the local header

  const centralOffset = local.length + fileName.length + compressed.length;
  const centralSize = central.length + fileName.length;
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(1, 8);
  end.writeUInt16LE(1, 10);
  end.writeUInt32LE(centralSize, 12);
  end.writeUInt32LE(centralOffset, 16);
  return Buffer.concat([local, fileName, compressed, central, fileName, end]);
}

const isMain = process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1];
if (isMain) {
  const bundle = readFileSync(bundlePath);
  writeFileSync(zipPath, zipSingleFile('index.mjs', bundle));
  const kib = (bytes) => `${(bytes / 1024).toFixed(1)} KiB`;
  console.log(`dist/index.mjs  ${bundle.length} bytes (${kib(bundle.length)})`);
  console.log(
    `lambda.zip      ${statSync(zipPath).size} bytes (${kib(statSync(zipPath).size)}), handler index.handler, runtime nodejs22.x`,
  );
}
