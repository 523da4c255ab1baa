import { PutRecordBatchCommand } from '@aws-sdk/client-firehose';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { startFirehoseLocal } from '../../src/index.js';
import {
  backupLines,
  deleteIndices,
  firehoseClient,
  removeDirectory,
  searchAll,
  temporaryDirectory,
  uniqueIndexName,
} from './helpers.js';

const elasticsearchUrl = inject('elasticsearchUrl');
const index = uniqueIndexName('utf8');
let directory: string | undefined;

afterAll(async () => {
  await deleteIndices(elasticsearchUrl, `${index}*`);
  if (directory !== undefined) await removeDirectory(directory);
});

describe('a record that is not valid UTF-8', () => {
  it('goes to Elasticsearch as sent, so it lands in elasticsearch-failed/ with its bytes, newline or not', async () => {
    directory = await temporaryDirectory();
    const firehose = await startFirehoseLocal({
      streams: [
        {
          name: 'plain',
          elasticsearch: {
            url: elasticsearchUrl,
            indexName: index,
            indexRotationPeriod: 'NoRotation',
            bufferingHints: { intervalInSeconds: 0 },
          },
          backup: { directory },
        },
      ],
    });
    const client = firehoseClient(firehose.url);
    // The same JSON document with a stray 0xFF byte in a string; the second one ends with a newline.
    const withoutNewline = Buffer.concat([
      Buffer.from('{"ContactId":"no-newline","Note":"x'),
      Buffer.from([0xff]),
      Buffer.from('y"}'),
    ]);
    const withNewline = Buffer.concat([
      Buffer.from('{"ContactId":"newline","Note":"x'),
      Buffer.from([0xff]),
      Buffer.from('y"}\n'),
    ]);
    const answer = await client.send(
      new PutRecordBatchCommand({
        DeliveryStreamName: 'plain',
        Records: [{ Data: withoutNewline }, { Data: withNewline }],
      }),
    );
    expect(answer.FailedPutCount).toBe(0);
    await firehose.flush('plain');
    client.destroy();
    await firehose.close();
    const indexed = (await searchAll(elasticsearchUrl, index)).map((document) => document.ContactId).sort();
    const failed = await backupLines(directory, 'elasticsearch-failed/');
    // Firehose sends the bytes as they are: Elasticsearch rejects invalid UTF-8, and the record is kept, never
    // rewritten (0xFF is not silently replaced by U+FFFD). A newline in it changes nothing.
    expect(indexed).toEqual([]);
    expect(failed).toHaveLength(2);
    for (const line of failed) {
      expect(line.errorCode).toBe('400');
      expect(String(line.errorMessage)).toMatch(/UTF-8/i);
    }
    const rawData = failed.map((line) => Buffer.from(String(line.rawData), 'base64')).sort(Buffer.compare);
    expect(rawData).toEqual([withNewline, withoutNewline].sort(Buffer.compare));
  });
});
