/**
 * CRC-32 (ZIP, gzip: polynomial 0x04c11db7, reflected 0xedb88320) and CRC-32C (Castagnoli, Snappy framing:
 * reflected 0x82f63b78), table-driven. Node 20 has no `zlib.crc32` (it came in Node 22) and no CRC-32C.
 */

function reflectedTable(polynomial: number): Uint32Array {
  const table = new Uint32Array(256);
  for (let byte = 0; byte < 256; byte++) {
    let crc = byte;
    for (let bit = 0; bit < 8; bit++) crc = crc & 1 ? (crc >>> 1) ^ polynomial : crc >>> 1;
    table[byte] = crc >>> 0;
  }
  return table;
}

const CRC32_TABLE = reflectedTable(0xedb88320);
const CRC32C_TABLE = reflectedTable(0x82f63b78);

function reflectedCrc(table: Uint32Array, bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (let index = 0; index < bytes.length; index++) {
    crc = table[(crc ^ bytes[index]!) & 0xff]! ^ (crc >>> 8);
  }
  return (crc ^ 0xffffffff) >>> 0;
}

/** The CRC-32 of ZIP and gzip: `crc32(Buffer.from('123456789')) === 0xcbf43926`. */
export const crc32 = (bytes: Uint8Array): number => reflectedCrc(CRC32_TABLE, bytes);

/** CRC-32C (Castagnoli, RFC 3720): `crc32c(Buffer.from('123456789')) === 0xe3069283`. */
export const crc32c = (bytes: Uint8Array): number => reflectedCrc(CRC32C_TABLE, bytes);
