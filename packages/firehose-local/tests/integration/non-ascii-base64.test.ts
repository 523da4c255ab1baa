import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type FirehoseLocal, startFirehoseLocal } from '../../src/index.js';
import { deleteIndices, fixture, removeDirectory, temporaryDirectory, uniqueIndexName } from './helpers.js';

const elasticsearchUrl = inject('elasticsearchUrl');
const index = uniqueIndexName('non-ascii');
let firehose: FirehoseLocal;
let directory: string;

beforeAll(async () => {
  directory = await temporaryDirectory();
  const elasticsearch = {
    url: elasticsearchUrl,
    indexName: index,
    indexRotationPeriod: 'NoRotation' as const,
    bufferingHints: { intervalInSeconds: 0 },
  };
  firehose = await startFirehoseLocal({
    streams: [
      {
        name: 'processed',
        processor: { modulePath: fixture('transform.mjs'), bufferIntervalInSeconds: 0 },
        elasticsearch,
        backup: { directory },
      },
      { name: 'plain', elasticsearch, backup: { directory } },
    ],
  });
});

afterAll(async () => {
  await firehose.close();
  await deleteIndices(elasticsearchUrl, `${index}*`);
  await removeDirectory(directory);
});

// {"ContactId":"x"} is eyJDb250YWN0SWQiOiJ4In0= ; its first letter replaced by U+0165, whose low byte is 'e'.
const NOT_BASE64 = '\u0165yJDb250YWN0SWQiOiJ4In0=';

describe('PutRecord with non-ASCII characters in Data', () => {
  it.each(['processed', 'plain'])(
    'stream %s answers SerializationException, like Firehose',
    async (stream) => {
      expect(Buffer.from(NOT_BASE64, 'base64').toString('base64')).not.toBe(NOT_BASE64);
      const answer = await fetch(firehose.url, {
        method: 'POST',
        headers: {
          'x-amz-target': 'Firehose_20150804.PutRecord',
          'content-type': 'application/x-amz-json-1.1',
        },
        body: JSON.stringify({ DeliveryStreamName: stream, Record: { Data: NOT_BASE64 } }),
      });
      expect(answer.status).toBe(400);
      expect(await answer.json()).toMatchObject({ __type: 'SerializationException' });
    },
  );
});
