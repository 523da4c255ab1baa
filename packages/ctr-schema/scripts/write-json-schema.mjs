// Writes dist/contact-trace-record.schema.json from the built package (run after tsup).
import { writeFile } from 'node:fs/promises';
import { contactTraceRecordJsonSchema } from '../dist/index.js';

const target = new URL('../dist/contact-trace-record.schema.json', import.meta.url);
await writeFile(target, `${JSON.stringify(contactTraceRecordJsonSchema(), null, 2)}\n`);
console.log(`wrote ${target.pathname}`);
