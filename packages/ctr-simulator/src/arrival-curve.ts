import type { Random } from './random.js';

/**
 * Relative arrival weight per local hour (0-23) on a weekday: quiet overnight, a ramp from 07:00,
 * a morning peak at 10:00-11:00, a lunch dip, a smaller afternoon peak and a tail after 18:00.
 */
export const WEEKDAY_HOURLY_WEIGHTS: readonly number[] = [
  0.1, 0.05, 0.05, 0.05, 0.05, 0.1, 0.3, 1.2, 4.5, 8.0, 9.5, 9.0, 6.5, 7.0, 8.0, 7.5, 6.0, 4.0, 2.0, 1.2, 0.8,
  0.5, 0.3, 0.2,
];

/** Weekend weights: a flatter, later day (09:00-17:00). */
export const WEEKEND_HOURLY_WEIGHTS: readonly number[] = [
  0.1, 0.05, 0.05, 0.05, 0.05, 0.05, 0.1, 0.4, 1.5, 4.0, 5.5, 6.0, 5.5, 5.0, 5.0, 4.5, 3.5, 2.0, 1.0, 0.6,
  0.4, 0.3, 0.2, 0.1,
];

/** Local hours counted as business hours by the tests and the README (08:00 to 18:00). */
export const BUSINESS_HOURS = { start: 8, end: 18 } as const;

/** True on Saturday and Sunday of a local day that starts at `localMidnightEpochSeconds`. */
export function isWeekend(localMidnightEpochSeconds: number): boolean {
  const weekday = new Date(localMidnightEpochSeconds * 1000).getUTCDay();
  return weekday === 0 || weekday === 6;
}

/** A random second of the local day (0 to 86,399) following the hourly curve. */
export function drawSecondOfDay(random: Random, weekend: boolean): number {
  const weights = weekend ? WEEKEND_HOURLY_WEIGHTS : WEEKDAY_HOURLY_WEIGHTS;
  const total = weights.reduce((sum, weight) => sum + weight, 0);
  let target = random.next() * total;
  let hour = 0;
  for (; hour < 23; hour++) {
    target -= weights[hour]!;
    if (target < 0) break;
  }
  return hour * 3600 + random.integer(0, 3599);
}

/** A random second of the local day inside business hours (for agent-initiated outbound calls and tasks). */
export function drawBusinessSecondOfDay(random: Random): number {
  return random.integer(BUSINESS_HOURS.start * 3600 + 900, BUSINESS_HOURS.end * 3600 - 1800);
}
