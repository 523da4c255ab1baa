/** One problem found in a record: where (`Agent.Username`, `Recordings[0].Status`, `(root)`) and what. */
export interface ContactTraceRecordIssue {
  /** The path of the bad value, dotted, array indexes in brackets; `(root)` for the record itself. */
  readonly path: string;
  /** What is wrong, without the value itself (records carry phone numbers). */
  readonly message: string;
}

/** Options of {@link ContactTraceRecordError}. */
export interface ContactTraceRecordErrorOptions extends ErrorOptions {
  /** The record's `ContactId` when it has a usable one, for logs. */
  contactId?: string | undefined;
}

const MAX_CONTACT_ID_LENGTH = 256;

/**
 * The base error of `@ctr-stream/ctr-schema`: a value that is not a valid contact trace record.
 * `issues` names every bad path (not only the first); the message lists them too. Values are never
 * copied into the error (they may be personal data). Not retryable: the same input fails again.
 *
 * @example
 * ```ts
 * import { ContactTraceRecordError, parseContactTraceRecord } from '@ctr-stream/ctr-schema';
 * try {
 *   parseContactTraceRecord({ Agent: 'Bob' });
 * } catch (error) {
 *   if (error instanceof ContactTraceRecordError) {
 *     console.log(error.issues.map((issue) => issue.path)); // ['AWSAccountId', ..., 'Agent']
 *   }
 * }
 * ```
 */
export class ContactTraceRecordError extends Error {
  override readonly name: string = 'ContactTraceRecordError';
  /** Every problem found, in document order. Never empty. */
  readonly issues: readonly ContactTraceRecordIssue[];
  /** The `ContactId` of the bad record, when it has a string one (truncated to 256 characters). */
  readonly contactId: string | undefined;
  /** Always false: the same record fails the same way; route it to the failed-records path. */
  readonly isRetryable = false;

  constructor(issues: readonly ContactTraceRecordIssue[], options: ContactTraceRecordErrorOptions = {}) {
    const { contactId, ...errorOptions } = options;
    const safeContactId = contactId?.slice(0, MAX_CONTACT_ID_LENGTH);
    super(describeIssues(issues, safeContactId), errorOptions);
    this.issues = Object.freeze(issues.map((issue) => Object.freeze({ ...issue })));
    this.contactId = safeContactId;
  }
}

/**
 * The input was text but not JSON (see `parseContactTraceRecordJson`). Its only issue is at `(root)`.
 *
 * @example
 * ```ts
 * import { ContactTraceRecordJsonError, parseContactTraceRecordJson } from '@ctr-stream/ctr-schema';
 * try {
 *   parseContactTraceRecordJson('{"ContactId":');
 * } catch (error) {
 *   console.log(error instanceof ContactTraceRecordJsonError); // true
 * }
 * ```
 */
export class ContactTraceRecordJsonError extends ContactTraceRecordError {
  override readonly name: string = 'ContactTraceRecordJsonError';
}

function describeIssues(issues: readonly ContactTraceRecordIssue[], contactId: string | undefined): string {
  const subject =
    contactId === undefined ? 'Invalid contact trace record' : `Invalid contact trace record ${contactId}`;
  const count = issues.length === 1 ? '1 issue' : `${issues.length} issues`;
  const details = issues.map((issue) => `${issue.path}: ${issue.message}`).join('; ');
  return `${subject} (${count}): ${details}`;
}
