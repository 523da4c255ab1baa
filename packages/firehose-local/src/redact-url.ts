// Up to the last `@` before the host, as URL parsers read it: a user name or password may hold an `@` itself.
const URL_USER_INFO = /\b([a-z][a-z0-9+.-]*:\/\/)([^/?#\s]*)@/gi;

/**
 * Replaces the user name and password of every URL in `text` with `***`, keeping the rest as written
 * (`http://elastic:secret@es:9200` becomes `http://***:***@es:9200`). For URLs and error messages that are
 * logged, returned by the API or written to backup objects.
 */
export function redactUrlCredentials(text: string): string {
  return text.replace(
    URL_USER_INFO,
    (_match, scheme: string, userInfo: string) => `${scheme}${userInfo.includes(':') ? '***:***' : '***'}@`,
  );
}
