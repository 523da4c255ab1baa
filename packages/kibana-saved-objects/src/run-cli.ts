import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import {
  type AwsService,
  awsSigV4FromCommandLine,
  InvalidOptionError as SignerOptionError,
} from '@ctr-stream/es-index-setup';
import type { Dispatcher } from 'undici';
import { checkAttributeFields } from './attribute-fields.js';
import { checkFields, type FieldCheckResult } from './check-fields.js';
import { resolveConnection } from './connection.js';
import { detectTargetWith } from './detect-target.js';
import {
  FieldCheckError,
  InvalidOptionError,
  KibanaSavedObjectsError,
  OutputFileError,
  SavedObjectImportError,
} from './errors.js';
import { installSavedObjects } from './install-saved-objects.js';
import { buildSavedObjects, toNdjson } from './saved-objects.js';
import { parseTarget, type TargetName, targetProfile } from './targets.js';

export const USAGE = `Usage: ctr-kibana-setup --kibana URL [options]
       ctr-kibana-setup --out FILE --target TARGET

Installs the connect* index pattern, the "Calls per day" table and the "Contact center" dashboard
into Kibana 7.10-9.x or OpenSearch Dashboards 1.x-3.x (saved objects import, overwrite: idempotent).

  --kibana URL            Kibana / OpenSearch Dashboards URL (may include the base path)
  --base-path PATH        base path, e.g. /_dashboards (Amazon OpenSearch Service), /_plugin/kibana (legacy Amazon ES)
  --space ID              Kibana space id (default: the default space)
  --tenant NAME           OpenSearch Dashboards security tenant (securitytenant header)
  --target TARGET         kibana-7.10 | kibana-8.0 | kibana-8.8 | opensearch-dashboards-2, or kibana@8.15.2 ...;
                          detected from GET /api/status when omitted
  --index-pattern PATTERN index pattern title and field-check pattern (default connect*)
  --attribute-fields KEY[,KEY...]  add a "Calls per KEY" table for each contact attribute key (terms on
                          AttributeKeywords.KEY) to the dashboard; repeatable; run ctr-es-setup with the same
                          --attribute-fields first (only documents indexed after that carry the fields)
  --api-key KEY           Kibana API key (env KIBANA_API_KEY)
  --username USER         basic auth user (env KIBANA_USERNAME)
  --password PASS         basic auth password (env KIBANA_PASSWORD; prefer the env variable)
  --aws-sigv4 REGION      sign every request (Dashboards and --elasticsearch) with AWS SigV4 for that region,
                          e.g. eu-west-1 (Amazon OpenSearch Service with IAM); AWS credentials from the standard
                          chain (AWS_PROFILE, SSO, AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, container or instance
                          role); no API key or user
  --aws-service es|aoss   what --aws-sigv4 signs for: es, a domain (default), or aoss, OpenSearch Serverless
  --out FILE              write the NDJSON for a manual import (Stack Management > Saved objects > Import)
                          instead of installing; "-" for stdout
  --elasticsearch URL     check with _field_caps that the fields exist and are aggregatable first
                          (before installing, or before writing --out)
  --es-api-key KEY        Elasticsearch API key (env ELASTICSEARCH_API_KEY)
  --es-username USER      Elasticsearch user (env ELASTICSEARCH_USERNAME)
  --es-password PASS      Elasticsearch password (env ELASTICSEARCH_PASSWORD)
  --timeout-ms N          per-request timeout (default 30000)
  -h, --help              show this help
  --version               show the version

Exit codes: 0 installed (or written), 1 failed, 2 bad usage.`;

export interface CliIo {
  env: Record<string, string | undefined>;
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** For tests: the undici Dispatcher to use. */
  dispatcher?: Dispatcher | undefined;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

/**
 * Runs `ctr-kibana-setup` with the given arguments (without `node` and the script) and returns the exit code.
 *
 * @example
 * ```ts
 * const code = await runCli(['--out', '-', '--target', 'kibana-8.8'], {
 *   env: process.env,
 *   stdout: (text) => process.stdout.write(text),
 *   stderr: (text) => process.stderr.write(text),
 * });
 * ```
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  try {
    return await runCliUnguarded(argv, io);
  } catch (error) {
    // Not one of this package's errors (those are answered in runCliUnguarded): a bug or a broken stream.
    io.stderr(unexpectedErrorReport(error, io.env));
    return 1;
  }
}

/**
 * What the CLI prints for an error that is not one of this package's: one line
 * `ctr-kibana-setup: unexpected error: <name>: <message>`, then the stack (and causes) only when `DEBUG` or
 * `CTR_STREAM_DEBUG` is set (not empty). URLs have what comes before their `@` masked, the message and the
 * stack alike, so that credentials in a URL are never printed.
 */
export function unexpectedErrorReport(error: unknown, env: Record<string, string | undefined>): string {
  const { name, message } = describeUnexpected(error);
  const line = `ctr-kibana-setup: unexpected error: ${name}: ${oneLine(message)}\n`;
  const debug = nonEmpty(env.DEBUG) !== undefined || nonEmpty(env.CTR_STREAM_DEBUG) !== undefined;
  if (!debug) return maskUrlCredentials(line);
  const stacks: string[] = [];
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current instanceof Error; depth++) {
    stacks.push(
      `${depth === 0 ? '' : 'Caused by: '}${current.stack ?? `${current.name}: ${current.message}`}`,
    );
    current = current.cause;
  }
  return maskUrlCredentials(`${line}${stacks.map((stack) => `${stack}\n`).join('')}`);
}

/** The name and message of anything thrown: an Error's own, else its type and text. */
function describeUnexpected(error: unknown): { name: string; message: string } {
  try {
    if (error instanceof Error)
      return { name: error.name || 'Error', message: error.message || '(no message)' };
    return { name: `thrown ${error === null ? 'null' : typeof error}`, message: String(error) };
  } catch {
    return { name: 'thrown value', message: '(cannot be described)' };
  }
}

/** The version in this package's package.json (`--version`): one level up from src/ and from dist/. */
function packageVersion(): string {
  const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return manifest.version;
}

/** Node's argument errors end without a full stop (`Unknown option '--x'`): this adds one. */
function asSentence(text: string): string {
  return /[.!?]$/.test(text) ? text : `${text}.`;
}

/** A message on one line (line breaks become spaces), cut at 1000 characters. */
function oneLine(text: string): string {
  const flat = text.replace(/\s*[\r\n]+\s*/g, ' ').trim();
  return flat.length > 1000 ? `${flat.slice(0, 1000)}...` : flat;
}

/** `https://user:secret@host/path` becomes `https://***@host/path`: everything before the authority's last `@`. */
function maskUrlCredentials(text: string): string {
  return text.replace(/\b([a-z][a-z0-9+.-]*:\/\/)[^\s/?#]*@/gi, '$1***@');
}

async function runCliUnguarded(argv: readonly string[], io: CliIo): Promise<number> {
  const regionAt = argv.indexOf('--aws-sigv4');
  if (regionAt !== -1 && (argv[regionAt + 1] === undefined || argv[regionAt + 1]?.startsWith('-'))) {
    // Before parseArgs, which would call the next option the value or say "argument missing".
    io.stderr(
      "InvalidOptionError: --aws-sigv4 needs the domain's region, e.g. --aws-sigv4 eu-west-1 (the region in its endpoint search-<name>-<id>.<region>.es.amazonaws.com).\n",
    );
    return 2;
  }
  let values: Record<string, string | boolean | string[] | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        kibana: { type: 'string' },
        'base-path': { type: 'string' },
        space: { type: 'string' },
        tenant: { type: 'string' },
        target: { type: 'string' },
        'index-pattern': { type: 'string' },
        'attribute-fields': { type: 'string', multiple: true },
        'api-key': { type: 'string' },
        username: { type: 'string' },
        password: { type: 'string' },
        'aws-sigv4': { type: 'string' },
        'aws-service': { type: 'string' },
        out: { type: 'string' },
        elasticsearch: { type: 'string' },
        'es-api-key': { type: 'string' },
        'es-username': { type: 'string' },
        'es-password': { type: 'string' },
        'timeout-ms': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean' },
      },
    }));
  } catch (error) {
    io.stderr(`${asSentence((error as Error).message)}\n\n${USAGE}\n`);
    return 2;
  }
  if (values.help === true) {
    io.stdout(`${USAGE}\n`);
    return 0;
  }
  if (values.version === true) {
    io.stdout(`${packageVersion()}\n`);
    return 0;
  }
  const text = (name: string): string | undefined => {
    const value = values[name];
    return typeof value === 'string' ? value : undefined;
  };
  const kibanaUrl = text('kibana');
  const out = text('out');
  if (kibanaUrl === undefined && out === undefined) {
    io.stderr(
      `Give --kibana URL to install, or --out FILE (with --target) to write the import file.\n\n${USAGE}\n`,
    );
    return 2;
  }
  const timeoutText = text('timeout-ms');
  const timeoutMs = timeoutText === undefined ? undefined : Number(timeoutText);
  if (timeoutMs !== undefined && (!Number.isInteger(timeoutMs) || timeoutMs <= 0)) {
    io.stderr('--timeout-ms must be a positive integer (milliseconds).\n');
    return 2;
  }
  const http = {
    ...(io.dispatcher === undefined ? {} : { dispatcher: io.dispatcher }),
    ...(timeoutMs === undefined ? {} : { timeoutMs }),
  };
  const credentials = (flag: string, env: string): string | undefined =>
    nonEmpty(text(flag)) ?? nonEmpty(io.env[env]);
  let awsSigV4: { region: string; service: AwsService } | undefined;
  const connectionOptions = (url: string) => {
    const apiKey = credentials('api-key', 'KIBANA_API_KEY');
    const username = credentials('username', 'KIBANA_USERNAME');
    const password = credentials('password', 'KIBANA_PASSWORD');
    const basePath = text('base-path');
    const space = text('space');
    const tenant = text('tenant');
    return {
      kibanaUrl: url,
      ...(apiKey === undefined ? {} : { apiKey }),
      ...(username === undefined ? {} : { username }),
      ...(password === undefined ? {} : { password }),
      ...(basePath === undefined ? {} : { basePath }),
      ...(space === undefined ? {} : { space }),
      ...(tenant === undefined ? {} : { tenant }),
      ...(awsSigV4 === undefined ? {} : { awsSigV4 }),
    };
  };

  try {
    awsSigV4 = awsSigV4Options(text, io.env, {
      // --out with --target writes the file without asking Kibana anything: its credentials are not sent then.
      contactsKibana: out === undefined || text('target') === undefined,
      checksElasticsearch: text('elasticsearch') !== undefined,
    });
    const targetText = text('target');
    const indexPattern = text('index-pattern');
    const attributeFields = attributeFieldsOption(values['attribute-fields']);
    const buildOptions = {
      ...(indexPattern === undefined ? {} : { indexPattern }),
      ...(attributeFields === undefined ? {} : { attributeFields }),
    };
    let target: TargetName | undefined = targetText === undefined ? undefined : parseTarget(targetText);

    const elasticsearchUrl = text('elasticsearch');
    const esApiKey = credentials('es-api-key', 'ELASTICSEARCH_API_KEY');
    const esUsername = credentials('es-username', 'ELASTICSEARCH_USERNAME');
    const esPassword = credentials('es-password', 'ELASTICSEARCH_PASSWORD');
    const elasticsearch =
      elasticsearchUrl === undefined
        ? undefined
        : {
            elasticsearchUrl,
            ...(esApiKey === undefined ? {} : { elasticsearchApiKey: esApiKey }),
            ...(esUsername === undefined ? {} : { elasticsearchUsername: esUsername }),
            ...(esPassword === undefined ? {} : { elasticsearchPassword: esPassword }),
          };
    const checkedLine = (check: FieldCheckResult) =>
      `Checked ${check.fields.length} fields on ${check.indexPattern} (${check.indices.length} indices): all present and usable.\n`;

    if (out !== undefined) {
      // The file is written only when the fields it charts are there (as an install checks them first).
      if (elasticsearch !== undefined) {
        const check = await checkFields({
          ...elasticsearch,
          ...(awsSigV4 === undefined ? {} : { awsSigV4 }),
          ...http,
          ...buildOptions,
        });
        io.stderr(checkedLine(check));
      }
      if (target === undefined) {
        if (kibanaUrl === undefined) {
          io.stderr(
            '--out needs --target (or --kibana to detect it): kibana-7.10, kibana-8.0, kibana-8.8 or opensearch-dashboards-2.\n',
          );
          return 2;
        }
        const detected = await detectTargetWith(resolveConnection(connectionOptions(kibanaUrl)), http);
        target = detected.target;
        io.stderr(`Detected ${describeProduct(detected.product)} ${detected.version}: target ${target}.\n`);
      }
      const ndjson = toNdjson(buildSavedObjects(target, buildOptions));
      if (out === '-') {
        io.stdout(ndjson);
      } else {
        try {
          await writeFile(out, ndjson, 'utf8');
        } catch (error) {
          throw new OutputFileError(out, error);
        }
        io.stderr(
          `Wrote ${ndjson.split('\n').length - 1} objects for ${target} to ${out}. Import it in Stack Management > Saved objects > Import (overwrite).\n`,
        );
      }
      return 0;
    }

    const result = await installSavedObjects({
      ...connectionOptions(kibanaUrl!),
      ...http,
      ...(target === undefined ? {} : { target }),
      ...buildOptions,
      ...(elasticsearch === undefined ? {} : { elasticsearch }),
    });
    if (result.fieldCheck !== undefined) io.stdout(checkedLine(result.fieldCheck));
    if (result.detected !== undefined) {
      io.stdout(
        `Detected ${describeProduct(result.detected.product)} ${result.detected.version}: target ${result.target}.\n`,
      );
    }
    io.stdout(`Imported ${result.imported.length} objects (${targetProfile(result.target).versions}):\n`);
    for (const object of result.imported) {
      io.stdout(
        `  ${object.type} ${object.id}${object.title === undefined ? '' : ` "${object.title}"`}${object.overwritten ? (object.kept === undefined ? ' (replaced)' : ` (replaced, keeping your ${object.kept.join(', ')})`) : ''}\n`,
      );
      if (object.destinationId !== undefined) {
        io.stderr(
          `  warning: stored as ${object.destinationId} because ${object.id} exists in another space; links to the fixed id will not reach it.\n`,
        );
      }
    }
    io.stdout(`Dashboard: ${result.dashboardUrl}\n`);
    return 0;
  } catch (error) {
    if (error instanceof KibanaSavedObjectsError) {
      io.stderr(`${error.name}: ${error.message}\n`);
      if (error instanceof FieldCheckError || error instanceof SavedObjectImportError) return 1;
      return error.name === 'InvalidOptionError' ? 2 : 1;
    }
    throw error;
  }
}

/**
 * `--attribute-fields a,b --attribute-fields c` as `['a', 'b', 'c']` (spaces around the commas dropped), checked as
 * ctr-es-setup checks its `--attribute-fields`: a bad key is an `InvalidOptionError` (exit 2) naming it. A key with
 * a comma can only be given to the library.
 */
function attributeFieldsOption(given: string | boolean | string[] | undefined): string[] | undefined {
  if (!Array.isArray(given)) return undefined;
  const keys = given.flatMap((list) => list.split(',').map((key) => key.trim()));
  if (keys.length === 1 && keys[0] === '') {
    throw new InvalidOptionError(
      'attribute-fields',
      '--attribute-fields needs one or more attribute keys, e.g. --attribute-fields menuChoice,language.',
    );
  }
  return checkAttributeFields(keys, 'attribute-fields');
}

/**
 * `--aws-sigv4 REGION` and `--aws-service`: the signing options, or undefined. Refuses an API key or basic auth
 * that would be sent beside them (Kibana's when Kibana is asked anything, and Elasticsearch's when `--elasticsearch`
 * is checked), naming the option or variable that carries it, never its value. Region and service are checked as
 * ctr-es-setup checks them.
 */
function awsSigV4Options(
  text: (name: string) => string | undefined,
  env: CliIo['env'],
  sends: { contactsKibana: boolean; checksElasticsearch: boolean },
): { region: string; service: AwsService } | undefined {
  const sent: (readonly [string, string | undefined])[] = [];
  if (sends.contactsKibana) {
    sent.push(
      ['--api-key', text('api-key')],
      ['KIBANA_API_KEY', env.KIBANA_API_KEY],
      ['--username', text('username')],
      ['KIBANA_USERNAME', env.KIBANA_USERNAME],
      ['--password', text('password')],
      ['KIBANA_PASSWORD', env.KIBANA_PASSWORD],
    );
  }
  if (sends.checksElasticsearch) {
    sent.push(
      ['--es-api-key', text('es-api-key')],
      ['ELASTICSEARCH_API_KEY', env.ELASTICSEARCH_API_KEY],
      ['--es-username', text('es-username')],
      ['ELASTICSEARCH_USERNAME', env.ELASTICSEARCH_USERNAME],
      ['--es-password', text('es-password')],
      ['ELASTICSEARCH_PASSWORD', env.ELASTICSEARCH_PASSWORD],
    );
  }
  const conflicting = sent.find(([, value]) => nonEmpty(value) !== undefined)?.[0];
  try {
    // ctr-es-setup's own parsing, so both commands take and refuse the same flags with the same words.
    return awsSigV4FromCommandLine(text('aws-sigv4'), text('aws-service'), conflicting);
  } catch (error) {
    if (error instanceof SignerOptionError) throw new InvalidOptionError(error.option, error.message);
    throw error;
  }
}

function describeProduct(product: string): string {
  return product === 'kibana' ? 'Kibana' : 'OpenSearch Dashboards';
}
