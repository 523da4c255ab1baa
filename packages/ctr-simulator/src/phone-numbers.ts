import type { Random } from './random.js';

/** Country calling code (digits, no `+`) -> relative weight, e.g. `{ '61': 0.85, '64': 0.05 }`. */
export type CountryCodeMix = Readonly<Record<string, number>>;

/** Default caller mix: mostly Australian numbers like the tutorial, some New Zealand, UK and US/Canada. */
export const DEFAULT_COUNTRY_CODE_MIX: CountryCodeMix = { '61': 0.85, '64': 0.05, '44': 0.05, '1': 0.05 };

/**
 * A plausible E.164 number for a country calling code. Australia, New Zealand, the UK and the NANP
 * get realistic mobile/landline layouts; other codes get a 9-digit subscriber number (E.164 allows
 * up to 15 digits in total).
 */
export function generatePhoneNumber(random: Random, countryCode: string): string {
  switch (countryCode) {
    case '61':
      // Mobiles 04xx xxx xxx (most callers), landlines (02|03|07|08) xxxx xxxx.
      return random.chance(0.7)
        ? `+614${random.digits(8)}`
        : `+61${random.pick(['2', '3', '7', '8'])}${random.integer(1, 9)}${random.digits(7)}`;
    case '64':
      return random.chance(0.7)
        ? `+642${random.integer(0, 9)}${random.digits(7)}`
        : `+64${random.integer(3, 9)}${random.integer(2, 9)}${random.digits(6)}`;
    case '44':
      return random.chance(0.7)
        ? `+447${random.integer(1, 9)}${random.digits(8)}`
        : `+44${random.pick(['20', '121', '131', '161'])}${random.digits(7)}`;
    case '1':
      return `+1${random.integer(2, 9)}${random.digits(2)}${random.integer(2, 9)}${random.digits(6)}`;
    default: {
      const subscriberLength = Math.max(4, Math.min(9, 15 - countryCode.length));
      return `+${countryCode}${random.integer(1, 9)}${random.digits(subscriberLength - 1)}`;
    }
  }
}

/** An Australian toll-free (1800) or local number for the contact center's claimed numbers. */
export function generateSystemPhoneNumber(random: Random): string {
  return random.chance(0.6) ? `+611800${random.digits(6)}` : `+612${random.integer(8, 9)}${random.digits(7)}`;
}

/** Validates a country code mix, returning a list of problems (empty when valid). */
export function countryCodeMixProblems(mix: CountryCodeMix): string[] {
  const problems: string[] = [];
  const entries = Object.entries(mix);
  if (entries.length === 0) problems.push('the country code mix is empty');
  for (const [code, weight] of entries) {
    if (!/^[1-9]\d{0,2}$/.test(code))
      problems.push(`"${code}" is not a country calling code (1 to 3 digits, e.g. 61)`);
    if (!(Number.isFinite(weight) && weight >= 0))
      problems.push(`the weight of ${code} must be a number >= 0`);
  }
  if (entries.length > 0 && !(entries.reduce((sum, [, weight]) => sum + weight, 0) > 0)) {
    problems.push('the country code weights add up to 0');
  }
  return problems;
}
