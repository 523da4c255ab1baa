import { Blob } from 'node:buffer';
import { FormData, request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import {
  attributeTableId,
  buildSavedObjects,
  detectTarget,
  InvalidOptionError,
  importSavedObjects,
  installSavedObjects,
  KibanaRequestError,
  type SavedObject,
  SavedObjectImportError,
  TargetDetectionError,
} from '../../src/index.js';
import {
  type ContractServer,
  type ContractServerOptions,
  startKibanaContractServer,
} from '../support/kibana-contract-server.js';

const servers: ContractServer[] = [];
async function start(options: ContractServerOptions): Promise<ContractServer> {
  const server = await startKibanaContractServer(options);
  servers.push(server);
  return server;
}
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

const TARGETS = [
  {
    label: 'Kibana 7.10.2 (Amazon ES legacy)',
    product: 'kibana',
    version: '7.10.2',
    basePath: '/_plugin/kibana',
    target: 'kibana-7.10',
    xsrf: 'kbn-xsrf',
  },
  {
    label: 'Kibana 8.6.2',
    product: 'kibana',
    version: '8.6.2',
    basePath: '',
    target: 'kibana-8.0',
    xsrf: 'kbn-xsrf',
  },
  {
    label: 'Kibana 8.15.3',
    product: 'kibana',
    version: '8.15.3',
    basePath: '',
    target: 'kibana-8.8',
    xsrf: 'kbn-xsrf',
  },
  {
    label: 'Kibana 9.1.0',
    product: 'kibana',
    version: '9.1.0',
    basePath: '',
    target: 'kibana-8.8',
    xsrf: 'kbn-xsrf',
  },
  {
    label: 'OpenSearch Dashboards 2.11.0',
    product: 'opensearch-dashboards',
    version: '2.11.0',
    basePath: '/_dashboards',
    target: 'opensearch-dashboards-2',
    xsrf: 'osd-xsrf',
  },
] as const;

describe.each(TARGETS)('$label', ({ product, version, basePath, target, xsrf }) => {
  it('detects the target, installs all eight objects, and a second install replaces them in place', async () => {
    const server = await start({ product, version, basePath, authorization: 'ApiKey c2VjcmV0' });
    const options = { kibanaUrl: `${server.url}${basePath}`, apiKey: 'c2VjcmV0' };
    const first = await installSavedObjects(options);
    expect(first.detected?.target).toBe(target);
    expect(first.target).toBe(target);
    expect(first.imported).toHaveLength(8);
    expect(first.imported.every((object) => !object.overwritten)).toBe(true);
    expect(first.dashboardUrl).toBe(
      `${server.url}${basePath}/app/dashboards#/view/ctr-stream-contact-center`,
    );

    const second = await installSavedObjects(options);
    expect(second.imported.map((object) => object.overwritten)).toEqual(Array(8).fill(true));
    expect(server.store.size).toBe(8);

    const imports = server.requests.filter((entry) => entry.path === '/api/saved_objects/_import');
    expect(imports).toHaveLength(2);
    for (const entry of imports) {
      expect(entry.statusCode).toBe(200);
      expect(entry.headers[xsrf]).toBe('ctr-kibana-setup');
      expect(entry.headers[xsrf === 'kbn-xsrf' ? 'osd-xsrf' : 'kbn-xsrf']).toBeUndefined();
      expect(entry.headers['kbn-version']).toBeUndefined();
      expect(entry.headers['osd-version']).toBeUndefined();
      expect(entry.fileName).toMatch(/\.ndjson$/);
      expect(entry.query.overwrite).toBe('true');
      expect(entry.query.createNewCopies).toBeUndefined();
      expect('compatibilityMode' in entry.query).toBe(target === 'kibana-8.8');
      expect(entry.lines).toEqual(JSON.parse(JSON.stringify(buildSavedObjects(target))));
    }
  });

  it('with attributeFields, installs a "Calls per <key>" table per key and the dashboard with their panels', async () => {
    const server = await start({ product, version, basePath });
    const attributeFields = ['menuChoice', 'Intent / Reason'];
    const options = { kibanaUrl: `${server.url}${basePath}`, attributeFields };
    const first = await installSavedObjects(options);
    expect(first.target).toBe(target);
    expect(first.imported).toHaveLength(10);
    expect(first.imported.slice(7, 9).map(({ id, title }) => ({ id, title }))).toEqual([
      { id: attributeTableId('menuChoice'), title: 'Calls per menuChoice' },
      { id: attributeTableId('Intent / Reason'), title: 'Calls per Intent / Reason' },
    ]);
    const second = await installSavedObjects(options);
    expect(second.imported.map((object) => object.overwritten)).toEqual(Array(10).fill(true));
    expect(server.store.size).toBe(10);
    const imports = server.requests.filter((entry) => entry.path === '/api/saved_objects/_import');
    for (const entry of imports) {
      expect(entry.statusCode).toBe(200);
      expect(entry.lines).toEqual(JSON.parse(JSON.stringify(buildSavedObjects(target, { attributeFields }))));
    }
    // Every dashboard reference reaches a stored visualization.
    const dashboard = [...server.store.values()].find((object) => object.type === 'dashboard') as {
      references: { type: string; id: string }[];
    };
    expect(dashboard.references).toHaveLength(8);
    for (const reference of dashboard.references) {
      expect(server.store.has(`default/${reference.type}/${reference.id}`)).toBe(true);
    }
  });

  it('keeps what the user added to the index pattern (scripted or runtime fields, formats, labels) when it installs again', async () => {
    const server = await start({ product, version, basePath });
    const kibanaUrl = `${server.url}${basePath}`;
    await installSavedObjects({ kibanaUrl, target });
    // What the UI adds: a scripted field in the field list (7.10, OpenSearch Dashboards) or a runtime field (8.x+).
    const added: Record<string, string> =
      target === 'kibana-7.10' || target === 'opensearch-dashboards-2'
        ? {
            fields: JSON.stringify([
              {
                name: 'talkMinutes',
                type: 'number',
                scripted: true,
                lang: 'painless',
                script: 'doc.x.value / 60',
              },
            ]),
            fieldFormatMap: '{"ContactId":{"id":"url"}}',
          }
        : {
            runtimeFieldMap: '{"talkMinutes":{"type":"double","script":{"source":"emit(1)"}}}',
            fieldFormatMap: '{"ContactId":{"id":"url"}}',
            fieldAttrs: '{"ContactId":{"customLabel":"Contact"}}',
          };
    const key = 'default/index-pattern/ctr-stream-connect';
    const stored = server.store.get(key)!;
    server.store.set(key, { ...stored, attributes: { ...(stored.attributes as object), ...added } });

    const again = await installSavedObjects({ kibanaUrl, target, indexPattern: 'connect-*' });
    expect(again.imported.find((object) => object.type === 'index-pattern')).toMatchObject({
      overwritten: true,
      kept: Object.keys(added),
    });
    expect((server.store.get(key) as { attributes: unknown }).attributes).toEqual({
      ...added,
      title: 'connect-*',
      timeFieldName: 'ConnectedToSystemTimestamp',
    });
    // The tables are replaced as before.
    expect(again.imported.filter((object) => object.overwritten)).toHaveLength(8);
  });

  it('with --target given, does not call /api/status', async () => {
    const server = await start({ product, version, basePath });
    await installSavedObjects({ kibanaUrl: server.url, basePath: basePath || '/', target });
    expect(server.requests.map((entry) => entry.path)).toEqual([
      '/api/saved_objects/index-pattern/ctr-stream-connect',
      '/api/saved_objects/_import',
    ]);
  });

  it('takes the product@version the CLI takes as target, in the library too', async () => {
    const server = await start({ product, version, basePath });
    const result = await installSavedObjects({
      kibanaUrl: server.url,
      basePath: basePath || '/',
      target: `${product}@${version}`,
    });
    expect(result.target).toBe(target);
    expect(server.requests.map((entry) => entry.path)).toEqual([
      '/api/saved_objects/index-pattern/ctr-stream-connect',
      '/api/saved_objects/_import',
    ]);
  });
});

describe('target aliases in the library', () => {
  it('installSavedObjects accepts kibana-9 (README) and installs the kibana-8.8 objects', async () => {
    const server = await start({ product: 'kibana', version: '9.1.0' });
    const result = await installSavedObjects({ kibanaUrl: server.url, target: 'kibana-9' });
    expect(result.target).toBe('kibana-8.8');
    expect(result.imported).toHaveLength(8);
    const imported = server.requests.find((entry) => entry.path === '/api/saved_objects/_import');
    expect(imported?.lines).toEqual(JSON.parse(JSON.stringify(buildSavedObjects('kibana-8.8'))));
  });

  it('importSavedObjects and buildSavedObjects accept aliases too', async () => {
    const server = await start({ product: 'opensearch-dashboards', version: '2.11.0' });
    expect(buildSavedObjects('osd-2')).toEqual(buildSavedObjects('opensearch-dashboards-2'));
    expect(buildSavedObjects('kibana@8.6.2')).toEqual(buildSavedObjects('kibana-8.0'));
    const result = await importSavedObjects({
      kibanaUrl: server.url,
      target: 'opensearch-dashboards@2.11.0',
      objects: buildSavedObjects('osd-2'),
    });
    expect(result.target).toBe('opensearch-dashboards-2');
  });

  it('an unknown target is an InvalidOptionError naming the option, and nothing is sent', async () => {
    const server = await start({ product: 'kibana', version: '9.1.0' });
    for (const attempt of [
      () => installSavedObjects({ kibanaUrl: server.url, target: 'kibana-6' }),
      () => installSavedObjects({ kibanaUrl: server.url, target: 'grafana-10' }),
      () => importSavedObjects({ kibanaUrl: server.url, target: 'kibana-99', objects: [] }),
      async () => buildSavedObjects('kibana-6'),
    ]) {
      const error = await attempt().catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(InvalidOptionError);
      expect((error as InvalidOptionError).option).toBe('target');
    }
    expect(server.requests).toHaveLength(0);
  });
});

describe('objects and options a version rejects', () => {
  it('Kibana 8.8+ objects into Kibana 8.6 fail with 422 (coreMigrationVersion newer than the server); 8.0 objects pass', async () => {
    const server = await start({ product: 'kibana', version: '8.6.2' });
    await expect(
      importSavedObjects({
        kibanaUrl: server.url,
        target: 'kibana-8.0',
        objects: buildSavedObjects('kibana-8.0'),
      }),
    ).resolves.toMatchObject({
      target: 'kibana-8.0',
    });
    const wrong = await importSavedObjects({
      kibanaUrl: server.url,
      target: 'kibana-8.0',
      objects: buildSavedObjects('kibana-8.8'),
    }).catch((caught: unknown) => caught);
    expect(wrong).toBeInstanceOf(KibanaRequestError);
    expect((wrong as KibanaRequestError).statusCode).toBe(422);
    expect((wrong as Error).message).toContain('belongs to a more recent version of Kibana [8.8.0]');
    expect((wrong as Error).message).toContain('--target');
  });

  it('older formats still import into newer servers (Kibana migrates them up)', async () => {
    const server = await start({ product: 'kibana', version: '9.1.0' });
    for (const target of ['kibana-7.10', 'kibana-8.0'] as const) {
      const result = await importSavedObjects({
        kibanaUrl: server.url,
        target: 'kibana-8.8',
        objects: buildSavedObjects(target),
      });
      expect(result.imported).toHaveLength(8);
    }
  });

  it('Kibana 8.0 objects into Kibana 7.10 fail with 422 (migrationVersion newer than 7.10 knows)', async () => {
    const server = await start({ product: 'kibana', version: '7.10.2' });
    const error = await importSavedObjects({
      kibanaUrl: server.url,
      target: 'kibana-7.10',
      objects: buildSavedObjects('kibana-8.0'),
    }).catch((caught: unknown) => caught);
    expect((error as KibanaRequestError).statusCode).toBe(422);
    expect((error as Error).message).toMatch(
      /has property "index-pattern" which belongs to a more recent version of Kibana \[8\.0\.0\]/,
    );
  });

  it('compatibilityMode (target kibana-8.8) is rejected by Kibana 7.10 and 8.6 with 400', async () => {
    for (const version of ['7.10.2', '8.6.2']) {
      const server = await start({ product: 'kibana', version });
      const error = await installSavedObjects({ kibanaUrl: server.url, target: 'kibana-8.8' }).catch(
        (caught: unknown) => caught,
      );
      expect((error as KibanaRequestError).statusCode).toBe(400);
      expect((error as KibanaRequestError).serverMessage).toBe(
        '[request query.compatibilityMode]: definition for this key is missing',
      );
      expect((error as Error).message).toContain('pass the right --target');
    }
  });

  it('compatibilityMode is rejected by OpenSearch Dashboards', async () => {
    const server = await start({ product: 'opensearch-dashboards', version: '2.11.0' });
    const response = await request(
      `${server.url}/api/saved_objects/_import?overwrite=true&compatibilityMode=true`,
      {
        method: 'POST',
        headers: { 'osd-xsrf': 'x' },
        body: multipart('x.ndjson', ''),
      },
    );
    expect(response.statusCode).toBe(400);
    expect(await response.body.json()).toMatchObject({
      message: '[request query.compatibilityMode]: definition for this key is missing',
    });
  });

  it('a Kibana target against OpenSearch Dashboards fails on the xsrf header with a hint', async () => {
    const server = await start({ product: 'opensearch-dashboards', version: '2.11.0' });
    const error = await installSavedObjects({ kibanaUrl: server.url, target: 'kibana-7.10' }).catch(
      (caught: unknown) => caught,
    );
    expect((error as KibanaRequestError).serverMessage).toBe('Request must contain a osd-xsrf header.');
    expect((error as Error).message).toContain(
      'failed with HTTP 400: Request must contain a osd-xsrf header. The server is OpenSearch Dashboards',
    );
    expect((error as Error).message).not.toContain('..');
  });

  it('an OpenSearch target against Kibana fails on the xsrf header', async () => {
    const server = await start({ product: 'kibana', version: '7.10.2' });
    const error = await installSavedObjects({
      kibanaUrl: server.url,
      target: 'opensearch-dashboards-2',
    }).catch((caught: unknown) => caught);
    expect((error as KibanaRequestError).statusCode).toBe(400);
    expect((error as KibanaRequestError).serverMessage).toBe('Request must contain a kbn-xsrf header.');
  });

  it('an object with an attribute outside the 8.8+ schema comes back as a per-object error in a 200 answer', async () => {
    const server = await start({ product: 'kibana', version: '8.15.3' });
    const objects: SavedObject[] = buildSavedObjects('kibana-8.8');
    const broken = objects.map((object) =>
      object.id === 'ctr-stream-calls-per-queue'
        ? { ...object, attributes: { ...object.attributes, fields: '[]' } }
        : object,
    );
    const error = await importSavedObjects({
      kibanaUrl: server.url,
      target: 'kibana-8.8',
      objects: broken,
    }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(SavedObjectImportError);
    expect((error as SavedObjectImportError).failures).toEqual([
      {
        type: 'visualization',
        id: 'ctr-stream-calls-per-queue',
        title: 'Calls per queue',
        errorType: 'unknown',
        detail: '[attributes.fields]: definition for this key is missing',
      },
    ]);
    expect((error as Error).message).toContain(
      'visualization ctr-stream-calls-per-queue ("Calls per queue"): unknown',
    );
  });
});

describe('200 with errors: missing references', () => {
  it.each(['7.10.2', '9.1.0'])(
    'Kibana %s: visualizations without their index pattern fail with missing_references, listed per object',
    async (version) => {
      const server = await start({ product: 'kibana', version });
      const target = version.startsWith('7') ? 'kibana-7.10' : 'kibana-8.8';
      const visualizations = buildSavedObjects(target).filter((object) => object.type !== 'index-pattern');
      const error = await importSavedObjects({
        kibanaUrl: server.url,
        target,
        objects: visualizations,
      }).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(SavedObjectImportError);
      const failures = (error as SavedObjectImportError).failures;
      expect(failures).toHaveLength(6);
      for (const failure of failures) {
        expect(failure.type).toBe('visualization');
        expect(failure.errorType).toBe('missing_references');
        expect(failure.detail).toContain('index-pattern:ctr-stream-connect');
      }
      expect((error as Error).message).toMatch(/^6 saved object\(s\) did not import:/);
      // The dashboard only references visualizations, which import does not check: it imported.
      expect(server.store.has('default/dashboard/ctr-stream-contact-center')).toBe(true);
    },
  );

  it('succeeds when the index pattern already exists in the space', async () => {
    const server = await start({
      product: 'kibana',
      version: '8.15.3',
      existing: [{ space: 'default', type: 'index-pattern', id: 'ctr-stream-connect', title: 'connect*' }],
    });
    const visualizations = buildSavedObjects('kibana-8.8').filter(
      (object) => object.type === 'visualization',
    );
    const result = await importSavedObjects({
      kibanaUrl: server.url,
      target: 'kibana-8.8',
      objects: visualizations,
    });
    expect(result.imported).toHaveLength(6);
  });
});

describe('spaces, tenants and ids', () => {
  it('imports into /s/<space> and keeps other spaces untouched', async () => {
    const server = await start({ product: 'kibana', version: '8.15.3' });
    const result = await installSavedObjects({ kibanaUrl: server.url, space: 'contact-center' });
    expect(result.url).toBe(
      `${server.url}/s/contact-center/api/saved_objects/_import?overwrite=true&compatibilityMode=true`,
    );
    expect(result.dashboardUrl).toBe(
      `${server.url}/s/contact-center/app/dashboards#/view/ctr-stream-contact-center`,
    );
    expect([...server.store.keys()].every((key) => key.startsWith('contact-center/'))).toBe(true);
    // Status is read outside the space path.
    expect(server.requests[0]!.path).toBe('/api/status');
  });

  it('reports ids that Kibana 8 regenerated because they exist in another space', async () => {
    const server = await start({
      product: 'kibana',
      version: '8.15.3',
      existing: [
        { space: 'default', type: 'dashboard', id: 'ctr-stream-contact-center', title: 'Contact center' },
      ],
    });
    const result = await installSavedObjects({
      kibanaUrl: server.url,
      space: 'team-b',
      target: 'kibana-8.8',
    });
    const dashboard = result.imported.find((object) => object.type === 'dashboard')!;
    expect(dashboard.destinationId).toBe('regenerated-ctr-stream-contact-center');
    expect(result.dashboardUrl).toContain(
      '/s/team-b/app/dashboards#/view/regenerated-ctr-stream-contact-center',
    );
  });

  it('refuses a space for OpenSearch Dashboards before sending anything, and sends the tenant header', async () => {
    const server = await start({ product: 'opensearch-dashboards', version: '2.11.0' });
    await expect(installSavedObjects({ kibanaUrl: server.url, space: 'team-b' })).rejects.toThrow(
      /no spaces/,
    );
    const before = server.requests.length;
    expect(before).toBe(1); // the status call only
    await installSavedObjects({ kibanaUrl: server.url, tenant: 'global' });
    const entry = server.requests.at(-1)!;
    expect(entry.headers.securitytenant).toBe('global');
    await expect(
      installSavedObjects({ kibanaUrl: server.url, tenant: 'global', target: 'kibana-8.8' }),
    ).rejects.toThrow(InvalidOptionError);
  });

  it('duplicate ids in one file are refused with 400', async () => {
    const server = await start({ product: 'kibana', version: '9.1.0' });
    const objects = buildSavedObjects('kibana-8.8');
    const error = await importSavedObjects({
      kibanaUrl: server.url,
      target: 'kibana-8.8',
      objects: [...objects, objects[1]!],
    }).catch((caught: unknown) => caught);
    expect((error as KibanaRequestError).statusCode).toBe(400);
    expect((error as KibanaRequestError).serverMessage).toBe(
      'Non-unique import objects detected: [visualization:ctr-stream-calls-per-day]',
    );
  });
});

describe('authentication and detection', () => {
  it('a wrong API key fails with 401 and a hint, without the key in the message', async () => {
    const server = await start({ product: 'kibana', version: '8.15.3', authorization: 'ApiKey right' });
    const error = await installSavedObjects({
      kibanaUrl: server.url,
      apiKey: 'wrong-key-value',
      target: 'kibana-8.8',
    }).catch((caught: unknown) => caught);
    expect((error as KibanaRequestError).statusCode).toBe(401);
    expect((error as Error).message).toContain('KIBANA_API_KEY');
    expect((error as Error).message).not.toContain('wrong-key-value');
  });

  it('basic auth reaches a protected server', async () => {
    const server = await start({
      product: 'opensearch-dashboards',
      version: '2.11.0',
      authorization: `Basic ${Buffer.from('admin:pw').toString('base64')}`,
    });
    const result = await installSavedObjects({ kibanaUrl: server.url, username: 'admin', password: 'pw' });
    expect(result.target).toBe('opensearch-dashboards-2');
  });

  it('the redacted unauthenticated 8.x status asks for credentials or --target', async () => {
    const server = await start({
      product: 'kibana',
      version: '8.15.3',
      authorization: 'ApiKey k',
      redactUnauthenticatedStatus: true,
    });
    await expect(detectTarget({ kibanaUrl: server.url })).rejects.toThrow(TargetDetectionError);
    await expect(detectTarget({ kibanaUrl: server.url })).rejects.toThrow(/--api-key.*--target kibana-8.8/s);
    expect((await detectTarget({ kibanaUrl: server.url, apiKey: 'k' })).version).toBe('8.15.3');
  });

  it('an unknown base path is a 404 with the AWS base paths in the message', async () => {
    const server = await start({
      product: 'opensearch-dashboards',
      version: '2.11.0',
      basePath: '/_dashboards',
    });
    await expect(detectTarget({ kibanaUrl: server.url })).rejects.toThrow(
      /\/_dashboards.*\/_plugin\/kibana/s,
    );
  });

  it('an unreachable server is a retryable error', async () => {
    const server = await start({ product: 'kibana', version: '9.1.0' });
    const url = server.url;
    await server.close();
    servers.splice(servers.indexOf(server), 1);
    const error = await detectTarget({ kibanaUrl: url }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(KibanaRequestError);
    expect((error as KibanaRequestError).isRetryable).toBe(true);
  });
});

function multipart(fileName: string, content: string): FormData {
  const form = new FormData();
  form.append('file', new Blob([content]), fileName);
  return form;
}

describe('the contract server itself rejects what Kibana rejects', () => {
  it('415 without multipart', async () => {
    const server = await start({ product: 'kibana', version: '8.15.3' });
    const response = await request(`${server.url}/api/saved_objects/_import?overwrite=true`, {
      method: 'POST',
      headers: { 'kbn-xsrf': 'x', 'content-type': 'application/json' },
      body: '{}',
    });
    expect(response.statusCode).toBe(415);
    expect(await response.body.json()).toEqual({
      statusCode: 415,
      error: 'Unsupported Media Type',
      message: 'Unsupported Media Type',
    });
  });

  it('400 Invalid file extension for a .json file name', async () => {
    const server = await start({ product: 'kibana', version: '7.10.2' });
    const response = await request(`${server.url}/api/saved_objects/_import`, {
      method: 'POST',
      headers: { 'kbn-xsrf': 'x' },
      body: multipart('export.json', '{}\n'),
    });
    expect(response.statusCode).toBe(400);
    expect(await response.body.json()).toMatchObject({ message: 'Invalid file extension .json' });
  });

  it('400 when the part is not named file', async () => {
    const server = await start({ product: 'kibana', version: '7.10.2' });
    const form = new FormData();
    form.append('upload', new Blob(['{}']), 'a.ndjson');
    const response = await request(`${server.url}/api/saved_objects/_import`, {
      method: 'POST',
      headers: { 'kbn-xsrf': 'x' },
      body: form,
    });
    expect(response.statusCode).toBe(400);
    await response.body.dump();
  });

  it('400 with the exact message without the xsrf header, per product', async () => {
    for (const [product, version, header] of [
      ['kibana', '9.1.0', 'kbn-xsrf'],
      ['opensearch-dashboards', '2.11.0', 'osd-xsrf'],
    ] as const) {
      const server = await start({ product, version });
      const response = await request(`${server.url}/api/saved_objects/_import`, {
        method: 'POST',
        body: multipart('a.ndjson', ''),
      });
      expect(response.statusCode).toBe(400);
      expect(await response.body.json()).toEqual({
        statusCode: 400,
        error: 'Bad Request',
        message: `Request must contain a ${header} header.`,
      });
    }
  });

  it('400 on a kbn-version header that differs from the server version', async () => {
    const server = await start({ product: 'kibana', version: '8.15.3' });
    const response = await request(`${server.url}/api/saved_objects/_import`, {
      method: 'POST',
      headers: { 'kbn-version': '8.15.0' },
      body: multipart('a.ndjson', ''),
    });
    expect(response.statusCode).toBe(400);
    expect(await response.body.json()).toMatchObject({
      message:
        'Browser client is out of date, please refresh the page ("kbn-version" header was "8.15.0" but should be "8.15.3")',
    });
  });
});
