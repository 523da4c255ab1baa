import { parseArgs } from 'node:util';
import { EsIndexSetupError, InvalidOptionError, MappingConflictError } from './errors.js';
import { DEFAULT_INDEX } from './fields.js';
import { type InstallReport, installIndexTemplate } from './installer.js';
import { DEFAULT_OFFLINE_SERVER_VERSION, parseServerSpecification } from './search-engine-server.js';

export const USAGE = `Usage: ctr-es-setup [options]

Installs the ctr-stream index template for Amazon Connect contact trace records (idempotent).

Options:
  --node URL                Elasticsearch/OpenSearch node (default: $ELASTICSEARCH_URL)
  --api-key KEY             API key (default: $ELASTICSEARCH_API_KEY)
  --username NAME           basic auth user (default: $ELASTICSEARCH_USERNAME)
  --password PASSWORD       basic auth password (default: $ELASTICSEARCH_PASSWORD; prefer the variable)
  --index NAME              the index Firehose writes to; the template covers NAME and NAME-* (default: ${DEFAULT_INDEX})
  --shards N                primary shards (default: 1)
  --replicas N|auto         replicas; auto = 0 on one node, 1 with two or more (default: auto)
  --refresh-interval T      index.refresh_interval, e.g. 1s, 30s, -1 (default: 30s)
  --total-fields-limit N    index.mapping.total_fields.limit (default: 1000)
  --dynamic false|true|runtime  unknown new fields: stored only (default), indexed, or runtime
  --no-create-index         do not create the index NAME when it does not exist
  --server DIST@VERSION     skip version detection, e.g. elasticsearch@8.19.0, opensearch@2.11.0
  --dry-run                 change nothing; print the JSON that would be sent and what would change
  --json                    print the report as JSON
  -h, --help                show this help

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

function dryRunDocument(report: InstallReport) {
  const { bundle } = report;
  return {
    dryRun: true,
    node: report.node,
    server: { distribution: report.server.distribution, version: report.server.version },
    changed: report.changed,
    actions: report.actions,
    conflicts: report.conflicts,
    requests: [
      ...bundle.componentTemplates.map((component) => ({
        method: 'PUT',
        path: `/_component_template/${component.name}`,
        body: component.body,
      })),
      {
        method: 'PUT',
        path: `/_index_template/${bundle.indexTemplate.name}`,
        body: bundle.indexTemplate.body,
      },
      { method: 'PUT', path: `/${bundle.index}`, body: {} },
    ],
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
  try {
    let parsed: ReturnType<typeof parse>;
    try {
      parsed = parse(argv);
    } catch (error) {
      io.stderr(`${error instanceof Error ? error.message : String(error)}\n\n${USAGE}`);
      return 2;
    }
    const { values } = parsed;
    if (values.help) {
      io.stdout(USAGE);
      return 0;
    }
    const node = values.node ?? io.env.ELASTICSEARCH_URL;
    const dryRun = values['dry-run'] ?? false;
    const server =
      values.server !== undefined
        ? parseServerSpecification(values.server)
        : dryRun && !node
          ? parseServerSpecification(DEFAULT_OFFLINE_SERVER_VERSION)
          : undefined;
    const replicasText = values.replicas;
    const dynamic = values.dynamic;
    if (dynamic !== undefined && dynamic !== 'false' && dynamic !== 'true' && dynamic !== 'runtime') {
      throw new InvalidOptionError(
        'dynamic',
        `--dynamic must be false, true or runtime (got ${JSON.stringify(dynamic)}).`,
      );
    }
    const report = await installIndexTemplate({
      node,
      env: io.env,
      apiKey: values['api-key'] ?? io.env.ELASTICSEARCH_API_KEY,
      username: values.username ?? io.env.ELASTICSEARCH_USERNAME,
      password: values.password ?? io.env.ELASTICSEARCH_PASSWORD,
      index: values.index,
      shards: wholeNumber('shards', values.shards),
      replicas:
        replicasText === undefined || replicasText === 'auto'
          ? 'auto'
          : wholeNumber('replicas', replicasText),
      refreshInterval: values['refresh-interval'],
      totalFieldsLimit: wholeNumber('total-fields-limit', values['total-fields-limit']),
      dynamic,
      createIndex: !(values['no-create-index'] ?? false),
      server,
      dryRun,
    });
    if (dryRun) io.stdout(JSON.stringify(dryRunDocument(report), null, 2));
    else if (values.json) {
      const { bundle: _bundle, ...summary } = report;
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
    if (error instanceof EsIndexSetupError) {
      io.stderr(`${error.name}: ${error.message}`);
      return 1;
    }
    io.stderr(`Unexpected error: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
}

function parse(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    strict: true,
    allowPositionals: false,
    options: {
      node: { type: 'string' },
      'api-key': { type: 'string' },
      username: { type: 'string' },
      password: { type: 'string' },
      index: { type: 'string' },
      shards: { type: 'string' },
      replicas: { type: 'string' },
      'refresh-interval': { type: 'string' },
      'total-fields-limit': { type: 'string' },
      dynamic: { type: 'string' },
      'no-create-index': { type: 'boolean' },
      server: { type: 'string' },
      'dry-run': { type: 'boolean' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}
