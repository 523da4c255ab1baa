/**
 * A small, fast, seeded pseudo-random number generator (sfc32 seeded through splitmix32).
 * Every random choice of the simulator goes through one of these so that a seed reproduces the
 * same bytes on every machine and Node version. `Math.random` is never used for generation.
 */
export interface Random {
  /** A float in [0, 1). */
  next(): number;
  /** An integer in [min, max] (both inclusive). */
  integer(min: number, max: number): number;
  /** True with the given probability. */
  chance(probability: number): boolean;
  /** One element of a non-empty array, uniformly. */
  pick<T>(items: readonly T[]): T;
  /** One key of a weight table, proportionally to its weight. */
  weighted<K extends string>(weights: Readonly<Record<K, number>>): K;
  /** An exponentially distributed value with the given mean. */
  exponential(mean: number): number;
  /** A log-normally distributed value with the given median and spread (sigma of the log). */
  logNormal(median: number, sigma: number): number;
  /** A random UUID (version 4 layout) drawn from this generator. */
  uuid(): string;
  /** A string of random lowercase hexadecimal digits. */
  hex(length: number): string;
  /** A string of random decimal digits. */
  digits(length: number): string;
  /** An independent generator derived from this one (stable sub-streams). */
  fork(label: string): Random;
}

function splitmix32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x9e3779b9) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

function hashLabel(label: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < label.length; index++) {
    hash = Math.imul(hash ^ label.charCodeAt(index), 0x01000193) >>> 0;
  }
  return hash;
}

/** Creates a generator from a 32-bit integer seed. */
export function createRandom(seed: number): Random {
  const seeder = splitmix32(seed);
  let a = seeder();
  let b = seeder();
  let c = seeder();
  let d = seeder();
  const nextUint32 = (): number => {
    const t = (((a + b) >>> 0) + d) >>> 0;
    d = (d + 1) >>> 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) >>> 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) >>> 0;
    return t;
  };
  for (let warmUp = 0; warmUp < 12; warmUp++) nextUint32();

  const next = (): number => nextUint32() / 4294967296;
  const integer = (min: number, max: number): number => min + Math.floor(next() * (max - min + 1));

  const random: Random = {
    next,
    integer,
    chance: (probability) => next() < probability,
    pick: (items) => {
      if (items.length === 0) throw new RangeError('Cannot pick from an empty list');
      return items[Math.floor(next() * items.length)] as (typeof items)[number];
    },
    weighted: (weights) => {
      const entries = Object.entries(weights) as [keyof typeof weights & string, number][];
      const total = entries.reduce((sum, [, weight]) => sum + weight, 0);
      if (!(total > 0)) throw new RangeError('Weights must add up to more than 0');
      let target = next() * total;
      for (const [key, weight] of entries) {
        target -= weight;
        if (target < 0) return key;
      }
      return entries[entries.length - 1]![0];
    },
    exponential: (mean) => -Math.log(1 - next()) * mean,
    logNormal: (median, sigma) => {
      // Box-Muller transform for a standard normal draw.
      const u = 1 - next();
      const v = next();
      const normal = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
      return median * Math.exp(sigma * normal);
    },
    uuid: () => {
      const hex = random.hex(32);
      const variant = '89ab'[integer(0, 3)]!;
      return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20)}`;
    },
    hex: (length) => {
      let text = '';
      while (text.length < length) text += nextUint32().toString(16).padStart(8, '0');
      return text.slice(0, length);
    },
    digits: (length) => {
      let text = '';
      for (let index = 0; index < length; index++) text += String(integer(0, 9));
      return text;
    },
    fork: (label) => createRandom((nextUint32() ^ hashLabel(label)) >>> 0),
  };
  return random;
}
