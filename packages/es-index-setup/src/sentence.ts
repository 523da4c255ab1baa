/**
 * Ends a text taken from elsewhere (a server's reason, an error's message) with exactly one full stop, so that
 * appending one never makes `..`: `index exists.` stays `index exists.`, `no body` becomes `no body.`, trailing
 * spaces and line breaks go. A text that already ends a sentence (`.`, `!`, `?`, `…`) is kept as it is.
 *
 * @example
 * ```ts
 * `${prefix}: ${sentence(reason)} Check the credentials.`;
 * ```
 */
export function sentence(text: string): string {
  const trimmed = text.trimEnd();
  return /[.!?…]$/.test(trimmed) ? trimmed : `${trimmed}.`;
}

/** What an error thrown by someone else says: its message, else its code or name (an `AggregateError` has none). */
export function errorText(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as Error & { code?: unknown }).code;
  return error.message.trim() || (typeof code === 'string' ? code : '') || error.name;
}
