import { describe, expect, it } from 'vitest';
import {
  attributeKeywordsMapping,
  attributeKeywordsPipelineId,
  buildAttributeKeywordsPipeline,
  validateAttributeFields,
} from '../../src/attribute-keywords.js';
import { runCommandLine } from '../../src/command-line.js';
import type { ElasticsearchConnection, ElasticsearchResponse } from '../../src/connection.js';
import { InvalidOptionError } from '../../src/errors.js';
import { buildIndexTemplate } from '../../src/index-template.js';
import { installIndexTemplate } from '../../src/installer.js';
import { describeSearchEngineServer } from '../../src/search-engine-server.js';
import { recomputeSignature, startAwsDomainServer } from './aws-domain-server.js';

const opensearch = describeSearchEngineServer('2.19.6', 'opensearch');

function invalid(keys: readonly string[]): InvalidOptionError {
  try {
    validateAttributeFields(keys);
  } catch (error) {
    if (error instanceof InvalidOptionError) return error;
    throw error;
  }
  throw new Error(`accepted ${JSON.stringify(keys)}`);
}

describe('validateAttributeFields', () => {
  it('accepts Connect-style keys and keeps their order', () => {
    expect(validateAttributeFields(['menuChoice', 'language', 'customer_intent-2', 'Näme ü'])).toEqual([
      'menuChoice',
      'language',
      'customer_intent-2',
      'Näme ü',
    ]);
    expect(validateAttributeFields([])).toEqual([]);
  });

  it.each([
    [['menuChoice', ''], 'An attribute key is empty: give keys such as menuChoice,language.'],
    [
      ['menu.choice'],
      'Attribute key "menu.choice" contains a dot, which the mapping would read as an object path: choose a key without a dot.',
    ],
    [['language', 'language'], 'Attribute key "language" is given twice: list each key once.'],
    [[' language'], 'Attribute key " language" starts or ends with whitespace: remove it.'],
    [['a\nb'], 'Attribute key "a\\nb" contains a control character.'],
    [
      ['x'.repeat(129)],
      `Attribute key "${'x'.repeat(60)}..." is 129 characters long: at most 128 are accepted.`,
    ],
    [
      Array.from({ length: 101 }, (_, position) => `key${position}`),
      'attributeFields takes at most 100 attribute keys (got 101).',
    ],
  ])('refuses %j with one sentence naming the key', (keys, message) => {
    const error = invalid(keys);
    expect(error.option).toBe('attributeFields');
    expect(error.message).toBe(message);
    expect(error.message.endsWith('.')).toBe(true);
  });

  it('accepts a key of exactly 128 characters', () => {
    expect(validateAttributeFields(['y'.repeat(128)])).toHaveLength(1);
  });
});

describe('the attribute-keywords pipeline and mapping', () => {
  it('is a guarded painless script with the keys as params, and an on_failure that keeps the document', () => {
    const pipeline = buildAttributeKeywordsPipeline('connect', ['menuChoice', 'language']);
    expect(pipeline).toEqual({
      description:
        'ctr-stream: copies the Amazon Connect contact attributes menuChoice, language into AttributeKeywords.<key> (keyword) for connect and connect-*.',
      processors: [
        {
          script: {
            tag: 'copy-attribute-keywords',
            lang: 'painless',
            source: expect.any(String),
            params: { keys: ['menuChoice', 'language'] },
          },
        },
      ],
      on_failure: [
        {
          set: {
            field: 'CtrStream.AttributeKeywordsFailure',
            value: '{{{_ingest.on_failure_message}}}',
            ignore_failure: true,
          },
        },
      ],
    });
    const source = String((pipeline.processors[0]?.script as { source?: string } | undefined)?.source);
    // The keys are parameters, never spliced into the script (a key is customer text).
    expect(source).not.toContain('menuChoice');
    expect(source).toContain('attributes instanceof Map');
    expect(source).toContain('value != null');
    expect(source).toContain('!(value instanceof Map) && !(value instanceof List)');
    expect(source).toContain("ctx['AttributeKeywords'] = keywords");
    expect(attributeKeywordsPipelineId('connect-prod')).toBe('ctr-stream-connect-prod-attribute-keywords');
  });

  it('maps exactly the chosen keys as keyword with ignore_above 1024', () => {
    expect(attributeKeywordsMapping(['menuChoice', 'language'])).toEqual({
      properties: {
        language: { type: 'keyword', ignore_above: 1024 },
        menuChoice: { type: 'keyword', ignore_above: 1024 },
      },
    });
  });
});

describe('buildIndexTemplate with attributeFields', () => {
  it('adds the pipeline, index.default_pipeline and AttributeKeywords.<key> fields, on every server', () => {
    for (const server of [
      describeSearchEngineServer('9.5.4'),
      describeSearchEngineServer('8.19.21'),
      opensearch,
    ]) {
      const bundle = buildIndexTemplate({
        index: 'connect',
        server,
        attributeFields: ['menuChoice', 'language'],
      });
      expect(bundle.ingestPipeline?.id).toBe('ctr-stream-connect-attribute-keywords');
      expect(bundle.ingestPipeline?.body).toEqual(
        buildAttributeKeywordsPipeline('connect', ['menuChoice', 'language']),
      );
      expect(bundle.componentTemplates[0]?.body.template.settings?.['index.default_pipeline']).toBe(
        'ctr-stream-connect-attribute-keywords',
      );
      const properties = bundle.componentTemplates[1]?.body.template.mappings?.properties ?? {};
      expect(properties.AttributeKeywords).toEqual(attributeKeywordsMapping(['menuChoice', 'language']));
      // Still sorted, Attributes unchanged.
      expect(Object.keys(properties)).toEqual([...Object.keys(properties)].sort());
      expect(properties.Attributes?.type).toBe(server.flattenedType);
    }
  });

  it('without attributeFields (or with none) builds exactly the template it always built', () => {
    const plain = buildIndexTemplate({ index: 'connect', server: opensearch });
    expect(plain.ingestPipeline).toBeUndefined();
    expect(plain).not.toHaveProperty('ingestPipeline');
    expect(plain.componentTemplates[0]?.body.template.settings).not.toHaveProperty('index.default_pipeline');
    expect(plain.componentTemplates[1]?.body.template.mappings?.properties).not.toHaveProperty(
      'AttributeKeywords',
    );
    expect(buildIndexTemplate({ index: 'connect', server: opensearch, attributeFields: [] })).toEqual(plain);
  });

  it('refuses bad keys before building anything', () => {
    expect(() => buildIndexTemplate({ attributeFields: ['a.b'] })).toThrow(InvalidOptionError);
  });
});

/** What `PUT <index>/_mapping` does to the existing properties: adds, recursing into objects. */
function mergeProperties(
  existing: Record<string, unknown>,
  added: Record<string, unknown>,
): Record<string, unknown> {
  const merged = { ...existing };
  for (const [name, property] of Object.entries(added)) {
    const before = merged[name] as { properties?: Record<string, unknown> } | undefined;
    const after = property as { properties?: Record<string, unknown> };
    merged[name] =
      before?.properties && after.properties
        ? { ...before, properties: mergeProperties(before.properties, after.properties) }
        : property;
  }
  return merged;
}

/**
 * An in-memory server that keeps what is put (pipelines, templates, index settings) and answers reads as
 * Elasticsearch does, with one existing index `connect` whose default pipeline is `defaultPipeline`.
 */
function statefulServer(defaultPipeline?: string) {
  const stored = new Map<string, unknown>();
  const settings: Record<string, unknown> = defaultPipeline
    ? { 'index.default_pipeline': defaultPipeline }
    : {};
  const writes: string[] = [];
  let properties: Record<string, unknown> = {};
  const connection: ElasticsearchConnection = {
    displayUrl: 'http://search.test:9200',
    async request(method, path, body): Promise<ElasticsearchResponse> {
      const bare = path.split('?')[0] ?? path;
      if (method === 'PUT') {
        writes.push(`PUT ${bare}`);
        if (bare === '/connect/_settings') Object.assign(settings, body);
        else if (bare === '/connect/_mapping')
          properties = mergeProperties(
            properties,
            (body as { properties: Record<string, unknown> }).properties,
          );
        else stored.set(bare, body);
        return { statusCode: 200, body: { acknowledged: true } };
      }
      if (bare === '/connect,connect-*/_mapping')
        return { statusCode: 200, body: { connect: { mappings: { properties } } } };
      if (bare === '/connect,connect-*/_settings')
        return { statusCode: 200, body: { connect: { settings: { ...settings } } } };
      if (method === 'HEAD') return { statusCode: bare === '/connect' ? 200 : 404, body: undefined };
      const value = stored.get(bare);
      if (value === undefined) return { statusCode: 404, body: {} };
      const name = decodeURIComponent(bare.split('/').pop() ?? '');
      if (bare.startsWith('/_ingest/pipeline/'))
        return { statusCode: 200, body: { [name]: { ...(value as object), modified_date_millis: 1 } } };
      if (bare.startsWith('/_component_template/'))
        return { statusCode: 200, body: { component_templates: [{ name, component_template: value }] } };
      return { statusCode: 200, body: { index_templates: [{ name, index_template: value }] } };
    },
  };
  return { connection, writes, settings };
}

describe('installIndexTemplate with attributeFields', () => {
  const server = describeSearchEngineServer('9.5.4');

  it('puts the pipeline first, gives the existing index the default pipeline, and changes nothing on a second run', async () => {
    const { connection, writes, settings } = statefulServer();
    const options = { connection, server, index: 'connect', attributeFields: ['menuChoice', 'language'] };
    const first = await installIndexTemplate(options);
    expect(writes).toEqual([
      'PUT /_ingest/pipeline/ctr-stream-connect-attribute-keywords',
      'PUT /_component_template/ctr-stream-connect-settings',
      'PUT /_component_template/ctr-stream-connect-mappings',
      'PUT /_index_template/ctr-stream-connect',
      'PUT /connect/_mapping',
      'PUT /connect/_settings',
    ]);
    expect(first.requests[0]).toEqual({
      method: 'PUT',
      path: '/_ingest/pipeline/ctr-stream-connect-attribute-keywords',
      body: first.bundle.ingestPipeline?.body,
    });
    expect(first.requests[4]?.body).toMatchObject({
      properties: { AttributeKeywords: attributeKeywordsMapping(['menuChoice', 'language']) },
    });
    expect(first.actions.at(-2)).toEqual({
      target: 'index_settings',
      name: 'connect',
      status: 'updated',
      detail: 'sets index.default_pipeline ctr-stream-connect-attribute-keywords',
    });
    expect(settings['index.default_pipeline']).toBe('ctr-stream-connect-attribute-keywords');

    writes.length = 0;
    const second = await installIndexTemplate(options);
    expect(writes).toEqual([]);
    expect(second.changed).toBe(false);
    expect(second.actions.map((action) => `${action.target}:${action.status}`)).toEqual([
      'ingest_pipeline:unchanged',
      'component_template:unchanged',
      'component_template:unchanged',
      'index_template:unchanged',
      'index_settings:unchanged',
      'index:unchanged',
    ]);

    // Another key list: the pipeline and the settings template are updated, the new field added.
    const third = await installIndexTemplate({ ...options, attributeFields: ['menuChoice', 'intent'] });
    expect(
      third.actions.filter((action) => action.status !== 'unchanged').map((action) => action.target),
    ).toEqual(['ingest_pipeline', 'component_template', 'index_mapping']);
    expect(third.actions[0]?.status).toBe('updated');
  });

  it("leaves an index whose default pipeline is someone else's alone and says how to chain the two", async () => {
    const { connection, writes } = statefulServer('enrich-ctrs');
    const outcome = await installIndexTemplate({
      connection,
      server,
      index: 'connect',
      attributeFields: ['menuChoice'],
    }).catch((error: unknown) => error);
    expect(outcome).toBeInstanceOf(InvalidOptionError);
    expect((outcome as Error).message).toBe(
      'Index connect already has index.default_pipeline "enrich-ctrs", so the pipeline ctr-stream-connect-attribute-keywords cannot be its default: add a pipeline processor {"pipeline":{"name":"ctr-stream-connect-attribute-keywords"}} to "enrich-ctrs" and drop attributeFields (--attribute-fields), or remove that setting and run again.',
    );
    expect(writes).not.toContain('PUT /connect/_settings');
  });

  it('treats index.default_pipeline _none as no pipeline', async () => {
    const { connection, settings } = statefulServer('_none');
    await installIndexTemplate({ connection, server, index: 'connect', attributeFields: ['menuChoice'] });
    expect(settings['index.default_pipeline']).toBe('ctr-stream-connect-attribute-keywords');
  });

  it('plans the pipeline first offline', async () => {
    const report = await installIndexTemplate({
      dryRun: true,
      env: {},
      server: opensearch,
      attributeFields: ['menuChoice'],
    });
    expect(report.actions[0]).toEqual({
      target: 'ingest_pipeline',
      name: 'ctr-stream-connect-attribute-keywords',
      status: 'would_create',
    });
    expect(report.requests.map((request) => request.path)).toEqual([
      '/_ingest/pipeline/ctr-stream-connect-attribute-keywords',
      '/_component_template/ctr-stream-connect-settings',
      '/_component_template/ctr-stream-connect-mappings',
      '/_index_template/ctr-stream-connect',
      '/connect',
    ]);
  });

  it('signs the pipeline request with SigV4 like every other (an OpenSearch Service domain)', async () => {
    const secretAccessKey = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY';
    const domain = await startAwsDomainServer({ AKIDEXAMPLE: { secretAccessKey } });
    try {
      const report = await installIndexTemplate({
        node: domain.url,
        awsSigV4: {
          region: 'eu-west-1',
          credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey },
          clock: () => new Date('2026-11-05T10:20:30.000Z'),
        },
        attributeFields: ['menuChoice'],
      });
      expect(report.actions[0]).toMatchObject({ target: 'ingest_pipeline', status: 'created' });
      const pipelineRequests = domain.received.filter((request) => request.target.startsWith('/_ingest/'));
      expect(pipelineRequests.map((request) => request.method)).toEqual(['GET', 'PUT']);
      expect(domain.received.every((request) => request.refusal === undefined)).toBe(true);
      for (const request of pipelineRequests) {
        const signature = /Signature=([0-9a-f]{64})$/.exec(String(request.headers.authorization))?.[1];
        expect(recomputeSignature(request, secretAccessKey)).toBe(signature);
      }
      expect(JSON.parse(pipelineRequests[1]?.body.toString('utf8') ?? '')).toEqual(
        report.bundle.ingestPipeline?.body,
      );
    } finally {
      await domain.close();
    }
  });

  it('refuses attributeFields for Amazon OpenSearch Serverless before contacting anything', async () => {
    let contacted = false;
    const outcome = await installIndexTemplate({
      connection: {
        displayUrl: 'https://x.us-east-1.aoss.amazonaws.com',
        async request() {
          contacted = true;
          return { statusCode: 500, body: undefined };
        },
      },
      awsSigV4: { region: 'us-east-1', service: 'aoss' },
      attributeFields: ['menuChoice'],
    }).catch((error: unknown) => error);
    expect(outcome).toBeInstanceOf(InvalidOptionError);
    expect(outcome).toMatchObject({ option: 'attributeFields' });
    expect((outcome as Error).message).toContain('Amazon OpenSearch Serverless (aoss) does not support');
    expect(contacted).toBe(false);
  });
});

async function run(argv: string[], env: Record<string, string | undefined> = {}) {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const status = await runCommandLine(argv, {
    env,
    stdout: (text) => stdout.push(text),
    stderr: (text) => stderr.push(text),
  });
  return { status, stdout: stdout.join('\n'), stderr: stderr.join('\n') };
}

describe('ctr-es-setup --attribute-fields', () => {
  const offline = ['--dry-run', '--server', 'opensearch@3.8.0'];

  it('reads comma-separated and repeated lists, spaces around commas dropped', async () => {
    const { status, stdout } = await run([
      ...offline,
      '--attribute-fields',
      'menuChoice, language',
      '--attribute-fields=intent',
    ]);
    expect(status).toBe(0);
    const document = JSON.parse(stdout);
    expect(document.requests[0]).toEqual({
      method: 'PUT',
      path: '/_ingest/pipeline/ctr-stream-connect-attribute-keywords',
      body: buildAttributeKeywordsPipeline('connect', ['menuChoice', 'language', 'intent']),
    });
    expect(document.requests[1].body.template.settings['index.default_pipeline']).toBe(
      'ctr-stream-connect-attribute-keywords',
    );
    expect(document.requests[2].body.template.mappings.properties.AttributeKeywords).toEqual(
      attributeKeywordsMapping(['menuChoice', 'language', 'intent']),
    );
  });

  it('without the flag sends no pipeline', async () => {
    const { stdout } = await run(offline);
    const paths = JSON.parse(stdout).requests.map((request: { path: string }) => request.path);
    expect(paths.some((path: string) => path.includes('_ingest'))).toBe(false);
  });

  it.each([
    [['--attribute-fields', 'menu.choice'], 'Attribute key "menu.choice" contains a dot'],
    [['--attribute-fields', 'a,,b'], 'An attribute key is empty'],
    [['--attribute-fields', 'a,a'], 'Attribute key "a" is given twice'],
    [['--attribute-fields', ''], '--attribute-fields needs one or more attribute keys'],
    [['--attribute-fields'], "Option '--attribute-fields <value>' argument missing"],
  ])('exits 2 for %j with a sentence naming the key', async (argv, start) => {
    const { status, stderr } = await run([...offline, ...argv]);
    expect(status).toBe(2);
    expect(stderr.startsWith(start)).toBe(true);
    expect(stderr.split('\n')[0]?.endsWith('.')).toBe(true);
  });

  it('refuses --attribute-fields with --aws-service aoss (exit 2)', async () => {
    const { status, stderr } = await run([
      '--node',
      'https://x.us-east-1.aoss.amazonaws.com',
      '--aws-sigv4',
      'us-east-1',
      '--aws-service',
      'aoss',
      '--attribute-fields',
      'menuChoice',
    ]);
    expect(status).toBe(2);
    expect(stderr.split('\n')[0]).toBe(
      'attributeFields (--attribute-fields) needs an ingest pipeline, which Amazon OpenSearch Serverless (aoss) does not support: drop it for a serverless collection, or use an OpenSearch Service domain (--aws-service es).',
    );
  });

  it('lists the flag in --help', async () => {
    const { stdout } = await run(['--help']);
    expect(stdout).toContain('--attribute-fields KEY[,KEY...]');
  });
});
