import { ATTRIBUTE_KEYWORDS_FIELD } from '@ctr-stream/es-index-setup';

/** Structured fields shared by every error of this package. */
export interface KibanaSavedObjectsErrorFields {
  /** True when the same call may succeed later without a change (a 5xx, a network error). */
  isRetryable?: boolean;
  /** The HTTP status code the server answered with, when there was an answer. */
  statusCode?: number;
}

/**
 * The base class of every error this package throws. Catch it to handle any install failure.
 *
 * @example
 * ```ts
 * try {
 *   await installSavedObjects({ kibanaUrl: 'http://localhost:5601' });
 * } catch (error) {
 *   if (error instanceof KibanaSavedObjectsError && error.isRetryable) console.error('try again later');
 * }
 * ```
 */
export class KibanaSavedObjectsError extends Error {
  override readonly name: string = 'KibanaSavedObjectsError';
  readonly isRetryable: boolean;
  readonly statusCode: number | undefined;

  constructor(message: string, fields: KibanaSavedObjectsErrorFields = {}, options?: ErrorOptions) {
    super(message, options);
    this.isRetryable = fields.isRetryable ?? false;
    this.statusCode = fields.statusCode;
  }
}

/**
 * An option or argument is invalid (a malformed URL, credentials inside a URL, an unknown target, a space id
 * that Kibana would reject). Nothing was sent.
 *
 * @example
 * ```ts
 * try {
 *   parseTarget('kibana-6');
 * } catch (error) {
 *   if (error instanceof InvalidOptionError) console.error(error.option, error.message);
 * }
 * ```
 */
export class InvalidOptionError extends KibanaSavedObjectsError {
  override readonly name = 'InvalidOptionError';
  /** The option at fault, e.g. `target` or `kibanaUrl`. */
  readonly option: string;

  constructor(option: string, message: string) {
    super(message);
    this.option = option;
  }
}

/**
 * Kibana or OpenSearch Dashboards answered a request with an error status (400, 401, 404, 415, 422, 5xx) or
 * with a body that is not what its API documents.
 *
 * @example
 * ```ts
 * try {
 *   await installSavedObjects({ kibanaUrl: 'http://localhost:5601', target: 'kibana-8.8' });
 * } catch (error) {
 *   if (error instanceof KibanaRequestError) console.error(error.statusCode, error.serverMessage);
 * }
 * ```
 */
export class KibanaRequestError extends KibanaSavedObjectsError {
  override readonly name = 'KibanaRequestError';
  /** The `message` the server put in its error body, verbatim, when it sent one. */
  readonly serverMessage: string | undefined;

  constructor(
    message: string,
    fields: KibanaSavedObjectsErrorFields & { serverMessage?: string },
    options?: ErrorOptions,
  ) {
    super(message, fields, options);
    this.serverMessage = fields.serverMessage;
  }
}

/** One object that Kibana did not import, with the reason it gave. */
export interface SavedObjectImportFailure {
  type: string;
  id: string;
  title: string | undefined;
  /** Kibana's error type: `missing_references`, `conflict`, `ambiguous_conflict`, `unsupported_type`, `unknown`, or `not_confirmed` (absent from the response). */
  errorType: string;
  /** A one-line explanation: the missing references, the server message, ... */
  detail: string;
}

/**
 * The import request was accepted (HTTP 200) but one or more objects did not import. `failures` lists each
 * object with Kibana's reason; the objects not listed were imported.
 *
 * @example
 * ```ts
 * try {
 *   await installSavedObjects({ kibanaUrl: 'http://localhost:5601' });
 * } catch (error) {
 *   if (error instanceof SavedObjectImportError) for (const failure of error.failures) console.error(failure.id, failure.detail);
 * }
 * ```
 */
export class SavedObjectImportError extends KibanaSavedObjectsError {
  override readonly name = 'SavedObjectImportError';
  readonly failures: readonly SavedObjectImportFailure[];

  constructor(failures: readonly SavedObjectImportFailure[]) {
    const lines = failures.map(
      (failure) =>
        `  - ${failure.type} ${failure.id}${failure.title === undefined ? '' : ` ("${failure.title}")`}: ${failure.errorType}: ${failure.detail}`,
    );
    super(`${failures.length} saved object(s) did not import:\n${lines.join('\n')}`, { statusCode: 200 });
    this.failures = failures;
  }
}

/**
 * Requests were to be signed with AWS SigV4 (`awsSigV4`, `--aws-sigv4`), but no usable AWS credentials were found:
 * the standard chain found none, or the given credentials function failed. Nothing was sent. The message names
 * what to set (`AWS_PROFILE`, `AWS_ACCESS_KEY_ID` and `AWS_SECRET_ACCESS_KEY`...), never a value; `cause` is
 * es-index-setup's error of the same name, whose signer this package uses.
 *
 * @example
 * ```ts
 * try {
 *   await installSavedObjects({ kibanaUrl: 'https://search-ctr-xxxx.eu-west-1.es.amazonaws.com/_dashboards', awsSigV4: { region: 'eu-west-1' } });
 * } catch (error) {
 *   if (error instanceof AwsCredentialsError) console.error(error.message); // "No AWS credentials ... Set AWS_PROFILE ..."
 * }
 * ```
 */
export class AwsCredentialsError extends KibanaSavedObjectsError {
  override readonly name = 'AwsCredentialsError';
}

/**
 * The target (Kibana 7.10, 8.x, 9.x or OpenSearch Dashboards) could not be told from `GET /api/status`. Pass
 * the target explicitly (`target` option, `--target`).
 *
 * @example
 * ```ts
 * try {
 *   await detectTarget({ kibanaUrl: 'http://localhost:5601' });
 * } catch (error) {
 *   if (error instanceof TargetDetectionError) console.error(`${error.message} (use --target)`);
 * }
 * ```
 */
export class TargetDetectionError extends KibanaSavedObjectsError {
  override readonly name = 'TargetDetectionError';
}

/** One field the saved objects need that the index does not provide as they need it. */
export interface FieldProblem {
  field: string;
  /**
   * `missing`: no index has it; `not_aggregatable`: e.g. a `text` field; `not_date`: a time field that is not a
   * date; `not_keyword`: an `AttributeKeywords.<key>` field that is not a `keyword`; `conflict`: different types
   * across indices.
   */
  problem: 'missing' | 'not_aggregatable' | 'not_date' | 'not_keyword' | 'conflict';
  /** The types Elasticsearch reported for the field (empty when missing). */
  types: readonly string[];
  /** What uses the field, e.g. `Calls per day (unique count)`. */
  usedBy: string;
}

/**
 * The `_field_caps` check found fields that the saved objects use but the index pattern's indices do not
 * provide as needed (missing, not aggregatable, not a date). Install the mapping with `ctr-es-setup` first.
 *
 * @example
 * ```ts
 * try {
 *   await checkFields({ elasticsearchUrl: 'http://localhost:9200' });
 * } catch (error) {
 *   if (error instanceof FieldCheckError) console.error(error.problems.map((problem) => problem.field));
 * }
 * ```
 */
export class FieldCheckError extends KibanaSavedObjectsError {
  override readonly name = 'FieldCheckError';
  readonly indexPattern: string;
  readonly problems: readonly FieldProblem[];

  /**
   * @param attributeFields the keys of `attributeFields` that were checked: when an `AttributeKeywords.<key>` field
   *   is at fault, the message gives the `ctr-es-setup --attribute-fields` command with all of them.
   */
  constructor(
    indexPattern: string,
    problems: readonly FieldProblem[],
    noIndex: boolean,
    attributeFields: readonly string[] = [],
  ) {
    const describe = (problem: FieldProblem): string => {
      const types = problem.types.length === 0 ? '' : ` (mapped as ${problem.types.join(', ')})`;
      switch (problem.problem) {
        case 'missing':
          return `  - ${problem.field}: missing${types}; needed by ${problem.usedBy}`;
        case 'not_aggregatable':
          return `  - ${problem.field}: not aggregatable${types}; needed by ${problem.usedBy}`;
        case 'not_date':
          return `  - ${problem.field}: not a date${types}; needed by ${problem.usedBy}`;
        case 'not_keyword':
          return `  - ${problem.field}: not a keyword${types}; needed by ${problem.usedBy}`;
        case 'conflict':
          return `  - ${problem.field}: mapped differently across indices${types}; needed by ${problem.usedBy}`;
      }
    };
    const head = noIndex
      ? `No index matches "${indexPattern}", so the dashboards would be empty and their fields unknown.`
      : `The indices matching "${indexPattern}" lack fields the Kibana objects use:`;
    super(
      `${head}\n${problems.map(describe).join('\n')}\n` +
        'Install the index template with `ctr-es-setup` (from @ctr-stream/es-index-setup) before sending data; ' +
        'an index created by dynamic mapping (ContactId as text) must be reindexed into the mapped index.' +
        attributeFieldsHint(problems, attributeFields),
    );
    this.indexPattern = indexPattern;
    this.problems = problems;
  }
}

/**
 * When an `AttributeKeywords.<key>` field is at fault: the `ctr-es-setup --attribute-fields` command with every
 * checked key (the installer replaces its key list, so all of them), quoted for a POSIX shell when needed.
 */
function attributeFieldsHint(problems: readonly FieldProblem[], attributeFields: readonly string[]): string {
  const prefix = `${ATTRIBUTE_KEYWORDS_FIELD}.`;
  if (attributeFields.length === 0 || !problems.some((problem) => problem.field.startsWith(prefix)))
    return '';
  const list = attributeFields.join(',');
  const argument = /^[A-Za-z0-9_,:@%+=-]+$/.test(list) ? list : `'${list.replace(/'/g, `'\\''`)}'`;
  return (
    `\nThe ${prefix}<key> fields are filled by an ingest pipeline: run \`ctr-es-setup --attribute-fields ${argument}\` first ` +
    '(with the same index name and all of these keys). Only documents indexed after that carry the fields; ' +
    'older ones have none until reindexed.'
  );
}

/**
 * Elasticsearch could not be asked for `_field_caps` (unreachable, 401/403, unexpected body).
 *
 * @example
 * ```ts
 * try {
 *   await checkFields({ elasticsearchUrl: 'http://localhost:9200' });
 * } catch (error) {
 *   if (error instanceof ElasticsearchRequestError) console.error(error.statusCode);
 * }
 * ```
 */
export class ElasticsearchRequestError extends KibanaSavedObjectsError {
  override readonly name = 'ElasticsearchRequestError';
}

const WRITE_FAILURES: Readonly<Record<string, string>> = {
  ENOENT: 'the directory does not exist',
  ENOTDIR: 'a part of the path is not a directory',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EISDIR: 'it is a directory',
  EROFS: 'the file system is read-only',
  ENOSPC: 'no space left on the device',
};

/**
 * The import file (`--out FILE`) could not be written. `path` is the file as given.
 *
 * @example
 * ```ts
 * try {
 *   await runCli(['--out', '/missing/dir/objects.ndjson', '--target', 'kibana-8.8'], io);
 * } catch (error) {
 *   if (error instanceof OutputFileError) console.error(error.path);
 * }
 * ```
 */
export class OutputFileError extends KibanaSavedObjectsError {
  override readonly name = 'OutputFileError';
  readonly path: string;

  constructor(path: string, cause: unknown) {
    const code = (cause as { code?: unknown } | undefined)?.code;
    const reason =
      typeof code === 'string'
        ? `${WRITE_FAILURES[code] ?? (cause as Error).message} (${code})`
        : cause instanceof Error
          ? cause.message
          : String(cause);
    super(
      `Could not write ${path}: ${reason}. Check that the directory exists and is writable, or pass --out - to print the NDJSON.`,
      {},
      { cause },
    );
    this.path = path;
  }
}
