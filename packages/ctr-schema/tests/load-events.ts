import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const eventsDirectory = fileURLToPath(new URL('./events/', import.meta.url));

/** Reads one fixture (a fresh copy every call, so tests may mutate it). `name` is relative to tests/events. */
export function loadEvent(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(`${eventsDirectory}${name}`, 'utf8')) as Record<string, unknown>;
}

/** The raw bytes of a fixture. */
export function readEventText(name: string): string {
  return readFileSync(`${eventsDirectory}${name}`, 'utf8');
}

/** The names of the valid records: every tests/events/*.json (invalid ones live in subdirectories). */
export function validEventNames(): string[] {
  return readdirSync(eventsDirectory)
    .filter((name) => name.endsWith('.json'))
    .sort();
}
