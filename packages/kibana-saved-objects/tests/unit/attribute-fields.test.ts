import { readFileSync } from 'node:fs';
import { MockAgent } from 'undici';
import { describe, expect, it } from 'vitest';
import {
  attributeTable,
  attributeTableId,
  buildContactCenterDashboard,
  buildSavedObjects,
  checkFields,
  contactCenterLayout,
  contactCenterTables,
  FieldCheckError,
  fieldRequirements,
  InvalidOptionError,
  installSavedObjects,
  runCli,
  SAVED_OBJECT_IDS,
  type SavedObject,
  TARGET_NAMES,
  targetProfile,
  toNdjson,
} from '../../src/index.js';
import { VISUALIZATION_ATTRIBUTES } from '../support/kibana-contract-server.js';

// Nothing here reaches a network: bad options are refused before any request; _field_caps answers from a MockAgent.

const KEYS = ['menuChoice', 'Intent / Reason'];
const ID_SHAPE = /^ctr-stream-calls-per-attribute-[a-z0-9]+(?:-[a-z0-9]+)*-[0-9a-f]{10}$/;

function visState(object: SavedObject): { title: string; aggs: { params: Record<string, unknown> }[] } {
  return JSON.parse(object.attributes.visState as string);
}

function searchSource(object: SavedObject): Record<string, unknown> {
  return JSON.parse(
    (object.attributes.kibanaSavedObjectMeta as { searchSourceJSON: string }).searchSourceJSON,
  );
}

interface Panel {
  panelIndex: string;
  panelRefName: string;
  version: string;
  embeddableConfig: Record<string, unknown>;
  gridData: { x: number; y: number; w: number; h: number; i: string };
}

function panelsOf(dashboard: SavedObject): Panel[] {
  return JSON.parse(dashboard.attributes.panelsJSON as string);
}

describe('attributeTableId', () => {
  it('is deterministic, URL-safe, and differs for keys that differ only in case or punctuation', () => {
    expect(attributeTableId('menuChoice')).toBe(attributeTableId('menuChoice'));
    expect(attributeTableId('menuChoice')).toMatch(
      /^ctr-stream-calls-per-attribute-menuchoice-[0-9a-f]{10}$/,
    );
    const keys = ['menuChoice', 'MenuChoice', 'menu choice', 'menu-choice', 'menu_choice', 'menu/choice'];
    const ids = keys.map(attributeTableId);
    expect(new Set(ids).size).toBe(keys.length);
    for (const id of ids) expect(id).toMatch(ID_SHAPE);
  });

  it('gives a safe id for hostile and non-Latin keys (no `_`, `/`, `#`, quotes; at most 82 characters)', () => {
    const keys = [
      '"quoted" \'key\'',
      '../../etc/passwd',
      '#fragment?query=1&x',
      '<script>alert(1)</script>',
      'Ünïcödé Kéy',
      '言語',
      '🙂',
      '*',
      'a'.repeat(128),
      'key,with,commas',
    ];
    const ids = keys.map(attributeTableId);
    expect(new Set(ids).size).toBe(keys.length);
    for (const id of ids) {
      expect(id).toMatch(ID_SHAPE);
      expect(id.length).toBeLessThanOrEqual(82);
      expect(encodeURIComponent(id)).toBe(id);
    }
    expect(attributeTableId('Ünïcödé Kéy')).toMatch(/^ctr-stream-calls-per-attribute-unicode-key-/);
    expect(attributeTableId('言語')).toMatch(/^ctr-stream-calls-per-attribute-key-[0-9a-f]{10}$/);
  });
});

describe('"Calls per <key>" tables', () => {
  it('are defined like "Calls per queue": unique count of ContactId, top 20 of AttributeKeywords.<key>, "Missing"', () => {
    expect(attributeTable('menuChoice')).toEqual({
      id: attributeTableId('menuChoice'),
      title: 'Calls per menuChoice',
      description:
        'Contacts per value of the contact attribute menuChoice (AttributeKeywords.menuChoice), busiest first; contacts without it are counted as "Missing".',
      query: '',
      queryFields: [],
      aggregations: [
        { kind: 'uniqueCount', field: 'ContactId', label: 'Calls' },
        {
          kind: 'terms',
          field: 'AttributeKeywords.menuChoice',
          label: 'menuChoice',
          size: 20,
          missingBucket: true,
        },
      ],
    });
  });

  it('come after the six fixed tables, in the order given', () => {
    expect(contactCenterTables(KEYS).map((table) => table.title)).toEqual([
      'Calls per day',
      'Calls per channel',
      'Calls per queue',
      'Abandoned contacts',
      'Unknown callers',
      'Caller lookup failures',
      'Calls per menuChoice',
      'Calls per Intent / Reason',
    ]);
    expect(contactCenterTables([])).toEqual(contactCenterTables());
  });

  it.each(TARGET_NAMES)(
    '%s: the saved object is the "Calls per queue" object with the attribute field, label, title and id',
    (target) => {
      const objects = buildSavedObjects(target, { attributeFields: KEYS });
      expect(objects.map((object) => object.type)).toEqual([
        'index-pattern',
        ...Array(8).fill('visualization'),
        'dashboard',
      ]);
      const queue = objects.find((object) => object.id === SAVED_OBJECT_IDS.callsPerQueue)!;
      for (const [offset, key] of KEYS.entries()) {
        const table = objects[7 + offset]!;
        expect(table.id).toBe(attributeTableId(key));
        // Same version fields, references and attribute keys as the fixed tables of the target.
        const { attributes: queueAttributes, id: _queueId, ...queueRest } = queue;
        const { attributes, id: _id, ...rest } = table;
        expect(rest).toEqual(queueRest);
        expect(Object.keys(attributes)).toEqual(Object.keys(queueAttributes));
        expect(attributes.title).toBe(`Calls per ${key}`);
        expect(attributes.uiStateJSON).toBe('{}');
        expect(searchSource(table)).toEqual(searchSource(queue));
        const expected = visState(queue) as { title: string; aggs: { params: Record<string, unknown> }[] };
        expected.title = `Calls per ${key}`;
        expected.aggs[1]!.params.field = `AttributeKeywords.${key}`;
        expected.aggs[1]!.params.customLabel = key;
        expect(visState(table)).toEqual(expected);
        expect(visState(table).aggs[1]!.params).toMatchObject({
          size: 20,
          orderBy: '1',
          order: 'desc',
          missingBucket: true,
          missingBucketLabel: 'Missing',
        });
        if (target === 'kibana-8.8') {
          for (const name of Object.keys(attributes)) expect([...VISUALIZATION_ATTRIBUTES]).toContain(name);
        }
      }
    },
  );

  it('carry a hostile key as data only (JSON-escaped, never breaking visState or the query)', () => {
    const key = '"}],"x":{"a\\\\b</script>';
    const [table] = buildSavedObjects('kibana-8.8', { attributeFields: [key] }).filter((object) =>
      object.id.startsWith('ctr-stream-calls-per-attribute-'),
    );
    expect(visState(table!).aggs[1]!.params.field).toBe(`AttributeKeywords.${key}`);
    expect(visState(table!).title).toBe(`Calls per ${key}`);
    expect(searchSource(table!).query).toEqual({ query: '', language: 'kuery' });
  });
});

describe('the dashboard with attributeFields', () => {
  it.each(TARGET_NAMES)(
    '%s: the attribute tables are panels 7 and 8, after the six unchanged ones, referenced as the target expects',
    (target) => {
      const plain = buildContactCenterDashboard(target);
      const dashboard = buildContactCenterDashboard(target, KEYS);
      const panels = panelsOf(dashboard);
      expect(panels).toHaveLength(8);
      expect(panels.slice(0, 6)).toEqual(panelsOf(plain));
      expect(dashboard.references.slice(0, 6)).toEqual(plain.references);
      const legacy = targetProfile(target).panelReferenceStyle === 'legacy';
      expect(panels.slice(6)).toEqual([
        {
          version: targetProfile(target).panelVersion,
          gridData: { x: 0, y: 45, w: 24, h: 15, i: '7' },
          panelIndex: '7',
          embeddableConfig: {},
          panelRefName: legacy ? 'panel_6' : 'panel_7',
        },
        {
          version: targetProfile(target).panelVersion,
          gridData: { x: 24, y: 45, w: 24, h: 15, i: '8' },
          panelIndex: '8',
          embeddableConfig: {},
          panelRefName: legacy ? 'panel_7' : 'panel_8',
        },
      ]);
      expect(dashboard.references.slice(6)).toEqual([
        { name: legacy ? 'panel_6' : '7:panel_7', type: 'visualization', id: attributeTableId(KEYS[0]!) },
        { name: legacy ? 'panel_7' : '8:panel_8', type: 'visualization', id: attributeTableId(KEYS[1]!) },
      ]);
      // Every panel resolves to a visualization of the same set.
      const ids = new Set(buildSavedObjects(target, { attributeFields: KEYS }).map((object) => object.id));
      for (const reference of dashboard.references) expect(ids.has(reference.id)).toBe(true);
      expect(dashboard.attributes.description).toContain('calls per contact attribute');
      const { panelsJSON: _panels, description: _description, ...attributes } = dashboard.attributes;
      const {
        panelsJSON: _plainPanels,
        description: _plainDescription,
        ...plainAttributes
      } = plain.attributes;
      expect(attributes).toEqual(plainAttributes);
    },
  );

  it('keeps a third key on a new row and never overlaps panels, up to the 100 keys allowed', () => {
    const keys = Array.from({ length: 100 }, (_, index) => `key${index}`);
    const layout = contactCenterLayout(keys);
    expect(layout).toHaveLength(106);
    expect(layout[8]).toEqual({ visualizationId: attributeTableId('key2'), x: 0, y: 60, w: 24, h: 15 });
    const cells = new Set<string>();
    for (const placement of layout) {
      expect(placement.x + placement.w).toBeLessThanOrEqual(48);
      const cell = `${placement.x},${placement.y}`;
      expect(cells.has(cell)).toBe(false);
      cells.add(cell);
    }
    expect(new Set(layout.map((placement) => placement.visualizationId)).size).toBe(106);
  });
});

describe('without attributeFields', () => {
  it.each(TARGET_NAMES)('%s: omitted, undefined or [] give the golden file byte for byte', (target) => {
    const golden = readFileSync(new URL(`../golden/${target}.ndjson`, import.meta.url), 'utf8');
    expect(toNdjson(buildSavedObjects(target, { attributeFields: [] }))).toBe(golden);
    expect(toNdjson(buildSavedObjects(target, { attributeFields: undefined }))).toBe(golden);
    expect(fieldRequirements([])).toEqual(fieldRequirements());
  });
});

const BAD_LISTS: [string, unknown, RegExp][] = [
  ['an empty key', ['menuChoice', ''], /^An attribute key is empty/],
  ['a dot', ['menu.choice'], /^Attribute key "menu\.choice" contains a dot/],
  ['surrounding spaces', [' menuChoice'], /starts or ends with whitespace/],
  ['a control character', ['menu\nchoice'], /contains a control character/],
  ['a key given twice', ['menuChoice', 'menuChoice'], /is given twice/],
  ['a key over 128 characters', ['k'.repeat(129)], /is 129 characters long: at most 128/],
  [
    'more than 100 keys',
    Array.from({ length: 101 }, (_, index) => `k${index}`),
    /at most 100 attribute keys/,
  ],
  ['a non-string key', [42], /is not a string/],
  ['not a list', 'menuChoice', /must be a list/],
];

describe('invalid attributeFields', () => {
  it.each(BAD_LISTS)(
    'buildSavedObjects refuses %s with this package InvalidOptionError, a sentence',
    (_, keys, message) => {
      const error = (() => {
        try {
          buildSavedObjects('kibana-8.8', { attributeFields: keys as string[] });
        } catch (caught) {
          return caught;
        }
      })();
      expect(error).toBeInstanceOf(InvalidOptionError);
      expect((error as InvalidOptionError).option).toBe('attributeFields');
      expect((error as Error).message).toMatch(message);
      expect((error as Error).message).toMatch(/\.$/);
    },
  );

  it('installSavedObjects and checkFields refuse before any request', async () => {
    const agent = new MockAgent();
    agent.disableNetConnect();
    const install = installSavedObjects({
      kibanaUrl: 'http://kibana.test',
      dispatcher: agent,
      attributeFields: ['menu.choice'],
      elasticsearch: { elasticsearchUrl: 'http://elasticsearch.test' },
    });
    await expect(install).rejects.toThrow(InvalidOptionError);
    await expect(install).rejects.toMatchObject({ option: 'attributeFields' });
    await expect(
      checkFields({
        elasticsearchUrl: 'http://elasticsearch.test',
        dispatcher: agent,
        attributeFields: [''],
      }),
    ).rejects.toThrow(InvalidOptionError);
    agent.assertNoPendingInterceptors();
    await agent.close();
  });
});

describe('fieldRequirements with attributeFields', () => {
  it('requires each AttributeKeywords.<key> to be a keyword, used by its table', () => {
    const requirements = fieldRequirements(KEYS);
    expect(requirements.slice(0, -2).map(({ field, needs }) => [field, needs])).toEqual(
      fieldRequirements().map(({ field, needs }) => [field, needs]),
    );
    expect(requirements.find((requirement) => requirement.field === 'ContactId')!.usedBy).toContain(
      'Calls per menuChoice (unique count)',
    );
    expect(requirements.slice(-2)).toEqual([
      { field: 'AttributeKeywords.menuChoice', needs: 'keyword', usedBy: ['Calls per menuChoice (terms)'] },
      {
        field: 'AttributeKeywords.Intent / Reason',
        needs: 'keyword',
        usedBy: ['Calls per Intent / Reason (terms)'],
      },
    ]);
  });
});

/** A `_field_caps` answer: every field the fixed objects need, as ctr-es-setup maps it, plus `extra`. */
function fieldCaps(extra: Record<string, unknown>): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  for (const requirement of fieldRequirements()) {
    const type = requirement.needs === 'date' ? 'date' : 'keyword';
    fields[requirement.field] = { [type]: { type, searchable: true, aggregatable: true } };
  }
  return { indices: ['connect'], fields: { ...fields, ...extra } };
}

async function checkWith(
  answer: Record<string, unknown>,
  attributeFields: readonly string[] | undefined,
): Promise<{ result: unknown; paths: string[] }> {
  const agent = new MockAgent();
  agent.disableNetConnect();
  const paths: string[] = [];
  agent
    .get('http://elasticsearch.test')
    .intercept({ path: (path) => path.startsWith('/connect*/_field_caps?'), method: 'GET' })
    .reply((request) => {
      paths.push(request.path);
      return {
        statusCode: 200,
        data: answer,
        responseOptions: { headers: { 'content-type': 'application/json' } },
      };
    });
  const result = await checkFields({
    elasticsearchUrl: 'http://elasticsearch.test',
    dispatcher: agent,
    ...(attributeFields === undefined ? {} : { attributeFields }),
  }).catch((caught: unknown) => caught);
  await agent.close();
  return { result, paths };
}

const keyword = { keyword: { type: 'keyword', searchable: true, aggregatable: true } };

describe('checkFields with attributeFields', () => {
  it('asks for AttributeKeywords.* (keys may hold commas) and accepts aggregatable keywords', async () => {
    const keys = ['menuChoice', 'a,b'];
    const { result, paths } = await checkWith(
      fieldCaps({ 'AttributeKeywords.menuChoice': keyword, 'AttributeKeywords.a,b': keyword }),
      keys,
    );
    expect(result).not.toBeInstanceOf(Error);
    const fields = new URL(paths[0]!, 'http://x').searchParams.get('fields')!.split(',');
    expect(fields.at(-1)).toBe('AttributeKeywords.*');
    expect(fields.filter((field) => field.startsWith('AttributeKeywords'))).toEqual(['AttributeKeywords.*']);
    expect((result as { fields: { field: string; needs: string; ok: boolean }[] }).fields.slice(-2)).toEqual([
      { field: 'AttributeKeywords.menuChoice', needs: 'keyword', types: ['keyword'], ok: true },
      { field: 'AttributeKeywords.a,b', needs: 'keyword', types: ['keyword'], ok: true },
    ]);
  });

  it('asks for exactly the fields of before without the option', async () => {
    const { paths } = await checkWith(fieldCaps({}), undefined);
    expect(new URL(paths[0]!, 'http://x').searchParams.get('fields')).toBe(
      fieldRequirements()
        .map((requirement) => requirement.field)
        .join(','),
    );
  });

  it('a missing field says to run ctr-es-setup --attribute-fields with every key, and that only new documents carry it', async () => {
    const { result } = await checkWith(fieldCaps({ 'AttributeKeywords.menuChoice': keyword }), [
      'menuChoice',
      'language',
    ]);
    expect(result).toBeInstanceOf(FieldCheckError);
    expect((result as FieldCheckError).problems).toEqual([
      {
        field: 'AttributeKeywords.language',
        problem: 'missing',
        types: [],
        usedBy: 'Calls per language (terms)',
      },
    ]);
    const message = (result as Error).message;
    expect(message).toContain(
      '  - AttributeKeywords.language: missing; needed by Calls per language (terms)',
    );
    expect(message).toContain('run `ctr-es-setup --attribute-fields menuChoice,language` first');
    expect(message).toContain('Only documents indexed after that carry the fields');
    expect(message).toMatch(/\.$/);
  });

  it('text is not a keyword, an index without doc values is not aggregatable, keyword and text conflict', async () => {
    const text = { text: { type: 'text', searchable: true, aggregatable: false } };
    const { result } = await checkWith(
      fieldCaps({
        'AttributeKeywords.a': text,
        'AttributeKeywords.b': { keyword: { type: 'keyword', searchable: true, aggregatable: false } },
        'AttributeKeywords.c': { ...keyword, ...text },
        'AttributeKeywords.d': { long: { type: 'long', searchable: true, aggregatable: true } },
      }),
      ['a', 'b', 'c', 'd'],
    );
    expect(result).toBeInstanceOf(FieldCheckError);
    expect((result as FieldCheckError).problems.map(({ field, problem }) => [field, problem])).toEqual([
      ['AttributeKeywords.a', 'not_keyword'],
      ['AttributeKeywords.b', 'not_aggregatable'],
      ['AttributeKeywords.c', 'conflict'],
      ['AttributeKeywords.d', 'not_keyword'],
    ]);
    expect((result as Error).message).toContain('  - AttributeKeywords.a: not a keyword (mapped as text);');
  });

  it('quotes the keys for the shell when they need it, and gives no attribute hint for other fields', async () => {
    const { result } = await checkWith(fieldCaps({}), ["it's", 'menu choice']);
    expect((result as Error).message).toContain(`ctr-es-setup --attribute-fields 'it'\\''s,menu choice'\``);
    const other = await checkWith(
      {
        ...fieldCaps({ 'AttributeKeywords.menuChoice': keyword }),
        fields: { 'AttributeKeywords.menuChoice': keyword },
      },
      ['menuChoice'],
    );
    expect(other.result).toBeInstanceOf(FieldCheckError);
    expect((other.result as Error).message).not.toContain('--attribute-fields');
  });
});

async function run(
  argv: string[],
  agent = new MockAgent(),
): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  // Any request not intercepted fails (exit 1, not 2): nothing may be sent before the options are checked.
  agent.disableNetConnect();
  const code = await runCli(argv, {
    env: {},
    stdout: (text) => (stdout += text),
    stderr: (text) => (stderr += text),
    dispatcher: agent,
  });
  await agent.close();
  return { code, stdout, stderr };
}

describe('ctr-kibana-setup --attribute-fields', () => {
  it('takes comma-separated, repeatable keys (spaces around commas dropped) into the --out file', async () => {
    const result = await run([
      '--out',
      '-',
      '--target',
      'opensearch-dashboards-2',
      '--attribute-fields',
      'menuChoice, intent',
      '--attribute-fields',
      'language',
    ]);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(
      toNdjson(
        buildSavedObjects('opensearch-dashboards-2', {
          attributeFields: ['menuChoice', 'intent', 'language'],
        }),
      ),
    );
    expect(result.stdout.trimEnd().split('\n')).toHaveLength(11);
  });

  it('with --elasticsearch, checks AttributeKeywords.<key> first and stops before Kibana when it is missing', async () => {
    const agent = new MockAgent();
    agent
      .get('http://elasticsearch.test')
      .intercept({ path: (path) => path.startsWith('/connect*/_field_caps?'), method: 'GET' })
      .reply(200, fieldCaps({}), { headers: { 'content-type': 'application/json' } });
    const result = await run(
      [
        '--kibana',
        'http://kibana.test',
        '--target',
        'kibana-8.8',
        '--elasticsearch',
        'http://elasticsearch.test',
        '--attribute-fields',
        'menuChoice,language',
      ],
      agent,
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^FieldCheckError: /);
    expect(result.stderr).toContain(
      '  - AttributeKeywords.menuChoice: missing; needed by Calls per menuChoice (terms)',
    );
    expect(result.stderr).toContain('run `ctr-es-setup --attribute-fields menuChoice,language` first');
  });

  it('with --out and --elasticsearch, checks the fields first and writes nothing when one is missing', async () => {
    const outArguments = [
      '--out',
      '-',
      '--target',
      'opensearch-dashboards-2',
      '--elasticsearch',
      'http://elasticsearch.test',
    ];
    const answering = (extra: Record<string, unknown>) => {
      const agent = new MockAgent();
      agent
        .get('http://elasticsearch.test')
        .intercept({ path: (path) => path.startsWith('/connect*/_field_caps?'), method: 'GET' })
        .reply(200, fieldCaps(extra), { headers: { 'content-type': 'application/json' } });
      return agent;
    };
    const missing = await run([...outArguments, '--attribute-fields', 'menuChoice'], answering({}));
    expect(missing.code).toBe(1);
    expect(missing.stdout).toBe('');
    expect(missing.stderr).toMatch(/^FieldCheckError: /);
    expect(missing.stderr).toContain('run `ctr-es-setup --attribute-fields menuChoice` first');

    const present = await run(
      [...outArguments, '--attribute-fields', 'menuChoice'],
      answering({ 'AttributeKeywords.menuChoice': keyword }),
    );
    expect(present.code).toBe(0);
    expect(present.stderr).toMatch(
      /^Checked \d+ fields on connect\* \(1 indices\): all present and usable\.\n$/,
    );
    expect(present.stdout).toBe(
      toNdjson(buildSavedObjects('opensearch-dashboards-2', { attributeFields: ['menuChoice'] })),
    );
  });

  it('is in the help', async () => {
    const result = await run(['--help']);
    expect(result.stdout).toContain('--attribute-fields KEY[,KEY...]');
  });

  it.each([
    [
      ['--attribute-fields', ''],
      'InvalidOptionError: --attribute-fields needs one or more attribute keys, e.g. --attribute-fields menuChoice,language.',
    ],
    [
      ['--attribute-fields', 'menu.choice'],
      'InvalidOptionError: Attribute key "menu.choice" contains a dot, which the mapping would read as an object path: choose a key without a dot.',
    ],
    [
      ['--attribute-fields', 'a,,b'],
      'InvalidOptionError: An attribute key is empty: give keys such as menuChoice,language.',
    ],
    [
      ['--attribute-fields', 'a', '--attribute-fields', 'a'],
      'InvalidOptionError: Attribute key "a" is given twice: list each key once.',
    ],
  ])('%j is bad usage: exit 2, one sentence, nothing sent', async (flags, line) => {
    for (const argv of [
      ['--out', '-', '--target', 'kibana-8.8', ...flags],
      ['--kibana', 'http://kibana.test', '--out', '-', ...flags],
      ['--kibana', 'http://kibana.test', '--elasticsearch', 'http://elasticsearch.test', ...flags],
    ]) {
      const result = await run(argv);
      expect(result.code).toBe(2);
      expect(result.stdout).toBe('');
      expect(result.stderr).toBe(`${line}\n`);
    }
  });

  it('without a value is bad usage with the usage text', async () => {
    const result = await run(['--out', '-', '--target', 'kibana-8.8', '--attribute-fields']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^Option '--attribute-fields <value>' argument missing\.\n\nUsage:/);
  });
});
