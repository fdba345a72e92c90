// A report's days: the presets, a custom range, and the period before it. Days are
// yyyy-mm-dd, inclusive at both ends, as the reports API takes them (in the report's
// time zone); arithmetic runs in UTC so a daylight-saving change never skips a day.

export type Preset = "7" | "30" | "90" | "month" | "custom";
export const PRESETS: readonly Preset[] = ["7", "30", "90", "month", "custom"];
export const DEFAULT_PRESET = "30" satisfies Preset;
export const MAX_DAYS = 366;

export interface DayRange {
  from: string;
  to: string;
}

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;
const MS_PER_DAY = 86_400_000;

function utc(day: string): number | null {
  const match = DAY.exec(day);
  if (!match) return null;
  const [y, m, d] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const ms = Date.UTC(y, m - 1, d);
  const back = new Date(ms);
  // 2026-02-30 is not a day: Date would roll it into March.
  return back.getUTCFullYear() === y && back.getUTCMonth() === m - 1 && back.getUTCDate() === d ? ms : null;
}

function iso(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

export function isDay(value: string | null | undefined): value is string {
  return typeof value === "string" && utc(value) !== null;
}

export function addDays(day: string, days: number): string {
  return iso((utc(day) as number) + days * MS_PER_DAY);
}

export function daysIn(range: DayRange): number {
  return Math.round(((utc(range.to) as number) - (utc(range.from) as number)) / MS_PER_DAY) + 1;
}

export function isPreset(value: string | null | undefined): value is Preset {
  return PRESETS.includes(value as Preset);
}

// The range a preset names, ending today (the user's day).
export function presetRange(preset: Exclude<Preset, "custom">, today: string): DayRange {
  if (preset === "month") return { from: `${today.slice(0, 8)}01`, to: today };
  return { from: addDays(today, -(Number(preset) - 1)), to: today };
}

// The days just before, as many as the range has: 1–15 March compares with 14–28 February.
export function previousRange(range: DayRange): DayRange {
  const days = daysIn(range);
  return { from: addDays(range.from, -days), to: addDays(range.from, -1) };
}

export type RangeProblem = "repRangeFormat" | "repRangeOrder" | "repRangeLong";

export function rangeProblem(range: Partial<DayRange>): RangeProblem | null {
  if (!isDay(range.from) || !isDay(range.to)) return "repRangeFormat";
  if (range.from > range.to) return "repRangeOrder";
  if (daysIn(range as DayRange) > MAX_DAYS) return "repRangeLong";
  return null;
}

// The range the address asks for: ?range=7|30|90|month, or ?range=custom&from=&to=.
// Anything unreadable is the default, so a hand-edited address still shows a report.
export function rangeFromQuery(query: Record<string, string | undefined>, today: string): { preset: Preset; range: DayRange } {
  const preset = isPreset(query.range) ? query.range : DEFAULT_PRESET;
  if (preset === "custom") {
    const range = { from: query.from ?? "", to: query.to ?? "" };
    if (rangeProblem(range) === null) return { preset, range };
    return { preset: DEFAULT_PRESET, range: presetRange(DEFAULT_PRESET, today) };
  }
  return { preset, range: presetRange(preset, today) };
}
