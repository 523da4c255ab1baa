import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { awsSigV4FromCommandLine } from './aws-sigv4.js';
import {
  ElasticsearchRequestError,
  EsIndexSetupError,
  InvalidOptionError,
  MappingConflictError,
} from './errors.js';
import { DEFAULT_INDEX } from './fields.js';
import { type InstallReport, installIndexTemplate } from './installer.js';
import { parseServerSpecification } from './search-engine-server.js';
import { errorText, sentence } from './sentence.js';

export const USAGE = `Usage: ctr-es-setup [options]

Installs the ctr-stream index template for Amazon Connect contact trace records (idempotent).

Options:
  --node URL                Elasticsearch/OpenSearch node (default: $ELASTICSEARCH_URL)
  --api-key KEY             API key (default: $ELASTICSEARCH_API_KEY)
  --username NAME           basic auth user (default: $ELASTICSEARCH_USERNAME)
  --password PASSWORD       basic auth password (default: $ELASTICSEARCH_PASSWORD; prefer the variable)
  --aws-sigv4 REGION        sign every request with AWS SigV4 for that region, e.g. eu-west-1 (Amazon OpenSearch
                            Service with IAM); AWS credentials from the standard chain (AWS_PROFILE, SSO,
                            AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, container or instance role); no API key or user
  --aws-service es|aoss     what --aws-sigv4 signs for: es, a domain (default), or aoss, OpenSearch Serverless
  --index NAME              the index Firehose writes to; the template covers NAME and NAME-* (default: ${DEFAULT_INDEX})
  --shards N                primary shards (default: 1)
  --replicas N|auto         replicas; auto = 0 on one node, 1 with two or more (default: auto)
  --refresh-interval T      index.refresh_interval, e.g. 1s, 30s, -1 (default: 30s)
  --total-fields-limit N    index.mapping.total_fields.limit (default: 1000)
  --dynamic false|true|runtime  unknown new fields: stored only (default), indexed, or runtime
  --attribute-fields KEY[,KEY...]  contact attribute keys to make aggregatable everywhere (OpenSearch too) as
                            AttributeKeywords.KEY (keyword), through an ingest pipeline; repeatable; not with aoss
  --no-create-index         do not create the index NAME when it does not exist
  --server DIST@VERSION     skip version detection, e.g. elasticsearch@8.19.0, opensearch@2.11.0, or
                            elasticsearch-oss@7.10.2 (Amazon Elasticsearch Service)
  --dry-run                 change nothing; print what would change and the requests that would be sent;
                            with --server it runs offline (contacts no node, plans for an empty cluster)
  --json                    print the report as JSON
  -h, --help                show this help
  --version                 show the version

Exit status: 0 installed or already up to date, 1 error, 2 bad option, 3 an existing index has a conflicting mapping.`;

export interface CommandLineIo {
  env: Record<string, string | undefined>;
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

function wholeNumber(option: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value))
    throw new InvalidOptionError(
      option,
      `--${option} must be a whole number (got ${JSON.stringify(value)}).`,
    );
  return Number(value);
}

/** Empty values (`ELASTICSEARCH_API_KEY=`) count as not given, as in ctr-kibana-setup. */
function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

/** The options whose value may start with a dash: `--refresh-interval -1` (parseArgs alone calls it ambiguous). */
const NEGATIVE_VALUE_OPTIONS = new Set([
  '--refresh-interval',
  '--replicas',
  '--shards',
  '--total-fields-limit',
]);

/** Joins `--option -1` into `--option=-1` for the options above, so a negative number is read as the value. */
function joinNegativeValues(argv: readonly string[]): string[] {
  const joined: string[] = [];
  for (let position = 0; position < argv.length; position++) {
    const argument = argv[position] as string;
    const next = argv[position + 1];
    if (NEGATIVE_VALUE_OPTIONS.has(argument) && next !== undefined && /^-\d/.test(next)) {
      joined.push(`${argument}=${next}`);
      position++;
    } else joined.push(argument);
  }
  return joined;
}

/** The version in this package's package.json (`--version`): one level up from src/ and from dist/. */
function packageVersion(): string {
  const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return manifest.version;
}

/**
 * The `--dry-run` output: `requests` are exactly the writes of the `would_*` actions (see the README's
 * "Dry run" section for every key).
 */
function dryRunDocument(report: InstallReport) {
  return {
    dryRun: true,
    node: report.node,
    server: { distribution: report.server.distribution, version: report.server.version },
    changed: report.changed,
    actions: report.actions,
    conflicts: report.conflicts,
    requests: report.requests,
  };
}

function humanReport(report: InstallReport): string {
  const name = report.server.distribution === 'opensearch' ? 'OpenSearch' : 'Elasticsearch';
  const lines = [
    `${name} ${report.server.version} at ${report.node}${report.dryRun ? ' (dry run: nothing changed)' : ''}`,
  ];
  for (const action of report.actions) {
    lines.push(
      `  ${action.status.padEnd(12)} ${action.target.replace('_', ' ')} ${action.name}${action.detail ? ` (${action.detail})` : ''}`,
    );
  }
  lines.push(
    report.changed
      ? report.dryRun
        ? 'Changes pending.'
        : 'Done.'
      : 'No change: everything was already installed.',
  );
  return lines.join('\n');
}

/**
 * Runs `ctr-es-setup` with the given arguments; returns the exit status. Secrets come from the
 * environment or options and are never printed.
 *
 * @example
 * ```ts
 * // Internal: the bin (`src/cli.ts`) calls it with the process's streams.
 * const status = await runCommandLine(['--dry-run', '--server', 'elasticsearch@9.0.0'], {
 *   env: process.env, stdout: console.log, stderr: console.error,
 * });
 * ```
 */
export async function runCommandLine(argv: readonly string[], io: CommandLineIo): Promise<number> {
  let dryRun = false;
  try {
    const regionAt = argv.indexOf('--aws-sigv4');
    if (regionAt !== -1 && (argv[regionAt + 1] === undefined || argv[regionAt + 1]?.startsWith('-'))) {
      throw new InvalidOptionError(
        'aws-sigv4',
        "--aws-sigv4 needs the domain's region, e.g. --aws-sigv4 eu-west-1 (the region in its endpoint search-<name>-<id>.<region>.es.amazonaws.com).",
      );
    }
    let parsed: ReturnType<typeof parse>;
    try {
      parsed = parse(argv);
    } catch (error) {
      io.stderr(`${sentence(errorText(error))}\n\n${USAGE}`);
      return 2;
    }
    const { values } = parsed;
    if (values.help) {
      io.stdout(USAGE);
      return 0;
    }
    if (values.version) {
      io.stdout(packageVersion());
      return 0;
    }
    dryRun = values['dry-run'] ?? false;
    const server = values.server !== undefined ? parseServerSpecification(values.server) : undefined;
    // A dry run with --server is offline: it never contacts a node, not even ELASTICSEARCH_URL's.
    const offline = dryRun && server !== undefined;
    if (offline && nonEmpty(values.node) !== undefined) {
      throw new InvalidOptionError(
        'node',
        '--dry-run with --server plans offline and contacts no node: drop --node to plan offline, or drop --server to compare with the node.',
      );
    }
    const node = offline ? undefined : (nonEmpty(values.node) ?? nonEmpty(io.env.ELASTICSEARCH_URL));
    const replicasText = values.replicas;
    const dynamic = values.dynamic;
    if (dynamic !== undefined && dynamic !== 'false' && dynamic !== 'true' && dynamic !== 'runtime') {
      throw new InvalidOptionError(
        'dynamic',
        `--dynamic must be false, true or runtime (got ${JSON.stringify(dynamic)}).`,
      );
    }
    const shards = wholeNumber('shards', values.shards);
    const replicas =
      replicasText === undefined || replicasText === 'auto' ? 'auto' : wholeNumber('replicas', replicasText);
    const totalFieldsLimit = wholeNumber('total-fields-limit', values['total-fields-limit']);
    if (!offline && node === undefined) {
      throw new InvalidOptionError(
        'node',
        `No Elasticsearch node: pass --node URL or set ELASTICSEARCH_URL${dryRun ? ', or pass --server DIST@VERSION (e.g. elasticsearch@8.19.0) to plan the dry run offline' : ''}.`,
      );
    }
    const awsSigV4 = awsSigV4Options(values, io.env);
    const attributeFields = attributeFieldsOption(values['attribute-fields']);
    const report = await installIndexTemplate({
      node,
      env: {},
      apiKey: nonEmpty(values['api-key']) ?? nonEmpty(io.env.ELASTICSEARCH_API_KEY),
      username: nonEmpty(values.username) ?? nonEmpty(io.env.ELASTICSEARCH_USERNAME),
      password: nonEmpty(values.password) ?? nonEmpty(io.env.ELASTICSEARCH_PASSWORD),
      awsSigV4,
      index: values.index,
      shards,
      replicas,
      refreshInterval: values['refresh-interval'],
      totalFieldsLimit,
      dynamic,
      attributeFields,
      createIndex: !(values['no-create-index'] ?? false),
      server,
      dryRun,
    });
    if (dryRun) io.stdout(JSON.stringify(dryRunDocument(report), null, 2));
    else if (values.json) {
      const { bundle: _bundle, requests: _requests, ...summary } = report;
      io.stdout(JSON.stringify(summary, null, 2));
    } else io.stdout(humanReport(report));
    if (report.conflicts.length > 0) {
      io.stderr(
        `${report.conflicts.length} conflicting field(s) in existing indices; run without --dry-run for the fix.`,
      );
      return 3;
    }
    return 0;
  } catch (error) {
    if (error instanceof MappingConflictError) {
      io.stderr(error.message);
      return 3;
    }
    if (error instanceof InvalidOptionError) {
      io.stderr(`${error.message}\nRun ctr-es-setup --help for the options.`);
      return 2;
    }
    if (error instanceof ElasticsearchRequestError && error.statusCode === undefined && dryRun) {
      // A dry run without --server connects only to detect the server (and read what is installed).
      io.stderr(
        `${error.name}: ${sentence(error.message)} To plan the dry run offline, pass --server DIST@VERSION (e.g. --server elasticsearch@8.19.0).`,
      );
      return 1;
    }
    if (error instanceof EsIndexSetupError) {
      io.stderr(`${error.name}: ${error.message}`);
      return 1;
    }
    io.stderr(`Unexpected error: ${sentence(errorText(error))}`);
    return 1;
  }
}

/**
 * `--aws-sigv4 REGION` and `--aws-service`: the signing options, or undefined. Refuses an API key or basic auth
 * beside them, naming the option or variable that carries it (never its value).
 */
function awsSigV4Options(values: ReturnType<typeof parse>['values'], env: CommandLineIo['env']) {
  const conflicting = (
    [
      ['--api-key', values['api-key']],
      ['ELASTICSEARCH_API_KEY', env.ELASTICSEARCH_API_KEY],
      ['--username', values.username],
      ['ELASTICSEARCH_USERNAME', env.ELASTICSEARCH_USERNAME],
      ['--password', values.password],
      ['ELASTICSEARCH_PASSWORD', env.ELASTICSEARCH_PASSWORD],
    ] as const
  ).find(([, value]) => nonEmpty(value) !== undefined)?.[0];
  return awsSigV4FromCommandLine(values['aws-sigv4'], values['aws-service'], conflicting);
}

/**
 * `--attribute-fields a,b --attribute-fields c` as `['a', 'b', 'c']` (spaces around the commas dropped). The keys
 * themselves are checked by `validateAttributeFields`; a key with a comma can only be given to the library.
 */
function attributeFieldsOption(given: readonly string[] | undefined): string[] | undefined {
  if (given === undefined) return undefined;
  const keys = given.flatMap((list) => list.split(',').map((key) => key.trim()));
  if (keys.length === 1 && keys[0] === '') {
    throw new InvalidOptionError(
      'attribute-fields',
      '--attribute-fields needs one or more attribute keys, e.g. --attribute-fields menuChoice,language.',
    );
  }
  return keys;
}

function parse(argv: readonly string[]) {
  return parseArgs({
    args: joinNegativeValues(argv),
    strict: true,
    allowPositionals: false,
    options: {
      node: { type: 'string' },
      'api-key': { type: 'string' },
      username: { type: 'string' },
      password: { type: 'string' },
      'aws-sigv4': { type: 'string' },
      'aws-service': { type: 'string' },
      index: { type: 'string' },
      shards: { type: 'string' },
      replicas: { type: 'string' },
      'refresh-interval': { type: 'string' },
      'total-fields-limit': { type: 'string' },
      dynamic: { type: 'string' },
      'attribute-fields': { type: 'string', multiple: true },
      'no-create-index': { type: 'boolean' },
      server: { type: 'string' },
      'dry-run': { type: 'boolean' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
      version: { type: 'boolean' },
    },
  });
}
