#!/usr/bin/env node
// Summarises a V8 CPU profile (`.cpuprofile`, e.g. from BENCH_CPU_PROFILE_DIR) as text: where the thread's busy
// time went, by function, self and inclusive. Frames in a bundled file with a `<file>.map` beside it (the Lambda
// bundle, every package's dist) are named by their source file and line, so a minified bundle reads as source.
//   node bench/support/cpu-profile-summary.mjs <file.cpuprofile> [--top N]
import { existsSync, readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const USAGE = 'usage: node bench/support/cpu-profile-summary.mjs <file.cpuprofile> [--top N]';

function parseArguments(argv) {
  const files = [];
  let top = 30;
  for (let index = 0; index < argv.length; index += 1) {
    if (argv[index] === '--top') {
      top = Number(argv[++index]);
      if (!Number.isInteger(top) || top < 1)
        throw new Error(`--top takes a whole number of at least 1. ${USAGE}`);
    } else files.push(argv[index]);
  }
  if (files.length !== 1) throw new Error(`Give one profile file. ${USAGE}`);
  return { file: files[0], top };
}

/** Names a frame `function source:line`, through the source map of its file when there is one. */
function frameNamer() {
  const maps = new Map();
  const mapFor = (url) => {
    if (!maps.has(url)) {
      let map;
      try {
        const path = fileURLToPath(url);
        if (existsSync(`${path}.map`)) {
          const payload = JSON.parse(readFileSync(`${path}.map`, 'utf8'));
          map = { sourceMap: new SourceMap(payload), base: resolve(dirname(path), payload.sourceRoot ?? '') };
        }
      } catch {
        map = undefined; // not a file URL, or an unreadable map: fall back to the bundle's own position
      }
      maps.set(url, map);
    }
    return maps.get(url);
  };
  return ({ functionName, url, lineNumber, columnNumber }) => {
    const map = url.startsWith('file:') ? mapFor(url) : undefined;
    const entry = map?.sourceMap.findEntry(lineNumber, columnNumber);
    if (entry?.originalSource) {
      // Sources as paths from where the summary runs (the repository root: apps/lambda/src/index.ts).
      const source = relative(
        process.cwd(),
        resolve(map.base, entry.originalSource.replace(/^file:\/\//, '')),
      );
      return `${entry.name || functionName || '(anonymous)'} ${source}:${entry.originalLine + 1}`;
    }
    const where = url === '' ? '' : ` ${url.split('/').slice(-2).join('/')}:${lineNumber + 1}`;
    return `${functionName || '(anonymous)'}${where}`;
  };
}

export function summarise(profile, top) {
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const parents = new Map();
  for (const node of profile.nodes) for (const child of node.children ?? []) parents.set(child, node.id);
  const nameOf = frameNamer();
  const names = new Map(profile.nodes.map((node) => [node.id, nameOf(node.callFrame)]));
  const timeByNode = new Map();
  let total = 0;
  profile.samples.forEach((id, index) => {
    const delta = profile.timeDeltas[index] ?? 0;
    timeByNode.set(id, (timeByNode.get(id) ?? 0) + delta);
    total += delta;
  });
  const self = new Map();
  const inclusive = new Map();
  for (const [id, time] of timeByNode) {
    self.set(names.get(id), (self.get(names.get(id)) ?? 0) + time);
    const counted = new Set(); // a recursive function counts once per sample
    for (let current = id; current !== undefined; current = parents.get(current)) {
      const name = names.get(current);
      if (counted.has(name) || nodes.get(current).callFrame.functionName === '(root)') continue;
      counted.add(name);
      inclusive.set(name, (inclusive.get(name) ?? 0) + time);
    }
  }
  const idle = self.get('(idle)') ?? 0;
  const busy = total - idle;
  const percent = (time) => `${((100 * time) / busy).toFixed(1).padStart(5)}%`;
  const table = (times) =>
    [...times]
      .filter(([name]) => name !== '(idle)')
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, time]) => `${(time / 1000).toFixed(0).padStart(7)} ms ${percent(time)}  ${name}`)
      .join('\n');
  return [
    `profiled ${(total / 1e6).toFixed(2)} s, busy ${(busy / 1e6).toFixed(2)} s (percentages are of busy time); garbage collection ${((self.get('(garbage collector)') ?? 0) / 1000).toFixed(0)} ms`,
    '',
    'self time',
    table(self),
    '',
    'inclusive time (the function and what it called)',
    table(inclusive),
  ].join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  try {
    const { file, top } = parseArguments(process.argv.slice(2));
    console.log(summarise(JSON.parse(readFileSync(file, 'utf8')), top));
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    process.exitCode = 2;
  }
}
