// What the site settings read and write, in the management API's JSON (docs/openapi.yaml),
// and the pure conversions between it and the editors' fields.

export const DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"] as const;
export type Day = (typeof DAYS)[number];
export type Range = [string, string];
// A day left out is closed; no days at all is open around the clock (ringback/hours.py).
export type Hours = Partial<Record<Day, Range[]>>;

export interface Site {
  siteId: string;
  name: string;
  siteKey: string;
  domains: string[];
  ownNumbers: string[];
  destinationNumbers: string[];
  alertContacts: string[];
  country: string;
  timezone: string;
  workingHours: Hours;
  createdAt: number;
  version: number;
}

// A rule: conditions that must all hold, each matching any of its values; `priority` breaks ties.
export type Rule = Record<string, string[] | number>;

export const CONDITIONS = [
  "utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content",
  "referrer_domain", "landing_page", "region", "click_id",
] as const;
export type Condition = (typeof CONDITIONS)[number];

export interface TrackingNumber {
  number: string;
  kind: "static" | "pool";
  capabilities: { voice: boolean; sms: boolean };
  channel: Rule;
  poolId?: string;
  poolName?: string | null;
}

export interface Pool {
  poolId: string;
  siteId: string;
  name: string;
  mode: "numbers" | "extensions";
  leaseSeconds: number;
  exhaustionPolicy: "default_number" | "share_oldest";
  rule: Rule;
  numbers: string[];
  size: number;
  lines: number;
  overflowCount: number;
  version: number;
}

export interface PoolHealth {
  size: number;
  window_hours: number;
  leases: number;
  arrivals_per_hour: number;
  utilisation: number;
  peak_concurrent: number;
  overflow_count: number;
  blocking_probability: number;
  recommended_size: number;
  target_accuracy: number;
  expected_accuracy: number;
  size_for_accuracy: number | null;
}

export interface Route {
  id: string;
  kind: "static" | "pool";
  rule: Rule;
}

export interface Routing {
  destinations: string[];
  strategy: "all_at_once" | "in_order";
  ringSeconds: number;
  whisper: { enabled: boolean; text?: string };
  recording: { enabled: boolean; notice?: string };
  voicemail: { enabled: boolean; prompt?: string };
  offHours: { action: "voicemail" | "forward" | "hangup"; number?: string; prompt?: string };
  own?: boolean;
}

export interface WidgetTheme {
  color?: string;
  position?: "left" | "right";
  texts?: Record<string, Record<string, string>>;
}

export interface Widget {
  triggers: {
    secondsOnPage?: number; inactivitySeconds?: number; scrollPercent?: number;
    pagesViewed?: number; exitIntent?: boolean; cooldownHours?: number;
  };
  targeting: {
    paths?: string[]; excludePaths?: string[]; referrers?: string[]; countries?: string[];
    utm?: Partial<Record<"source" | "medium" | "campaign" | "term" | "content", string[]>>;
  };
  theme: WidgetTheme;
  locale: string;
}

export interface CallbackSettings {
  enabled: boolean;
  operators: string[];
  hunt: "sequential" | "simultaneous";
  ringSeconds: number;
  visitorRingSeconds: number;
  operatorRetrySeconds: number;
  maxRounds: number;
  visitorHours: [string, string];
  record: boolean;
  countries: string[];
  callerId: string | null;
  blockedPrefixes: string[];
  callingFrom: string | null;
}

// "a, b\nc" -> ["a", "b", "c"]: the editors take lists as text, one item a line or comma.
export function splitList(text: string): string[] {
  return text.split(/[\n,]/).map((s) => s.trim()).filter(Boolean);
}

export function joinList(values: readonly string[] | undefined, separator = ", "): string {
  return (values ?? []).join(separator);
}

// The list with the item at `from` moved to `to` (the rule order, a hunt group).
export function moved<T>(list: readonly T[], from: number, to: number): T[] {
  if (to < 0 || to >= list.length || from === to) return [...list];
  const next = [...list];
  const [item] = next.splice(from, 1);
  next.splice(to, 0, item);
  return next;
}

// A rule as the form's fields (one text per condition) and back; empty fields are left out.
export function ruleFields(rule: Rule | undefined): Record<Condition | "priority", string> {
  const fields = Object.fromEntries(CONDITIONS.map((c) => [c, ""])) as Record<Condition | "priority", string>;
  fields.priority = "";
  for (const [key, value] of Object.entries(rule ?? {})) {
    if (key === "priority") fields.priority = String(value);
    else if (key in fields) fields[key as Condition] = joinList(value as string[]);
  }
  return fields;
}

export function ruleOf(fields: Record<string, string>): Rule {
  const rule: Rule = {};
  for (const condition of CONDITIONS) {
    const values = splitList(fields[condition] ?? "");
    if (values.length) rule[condition] = values;
  }
  const priority = (fields.priority ?? "").trim();
  if (priority !== "") rule.priority = Number(priority);
  return rule;
}

// Whether the rule matches every visit (no conditions).
export function matchesAll(rule: Rule | undefined): boolean {
  return Object.keys(rule ?? {}).every((k) => k === "priority");
}

// "09:00-13:00, 14:00-18:00" <-> [["09:00","13:00"],["14:00","18:00"]] for one day.
export function rangesText(ranges: readonly Range[] | undefined): string {
  return (ranges ?? []).map(([a, b]) => `${a}–${b}`).join(", ");
}

const HH_MM = /^([01]\d|2[0-3]):[0-5]\d$|^24:00$/;

export function isTime(value: string): boolean {
  return HH_MM.test(value);
}

// The weekly table's rows (each day open or not, with its ranges) to the API's workingHours.
export interface DayRow { open: boolean; ranges: Range[] }

export function hoursRows(hours: Hours | undefined): Record<Day, DayRow> {
  const rows = {} as Record<Day, DayRow>;
  for (const day of DAYS) {
    const ranges = hours?.[day] ?? [];
    rows[day] = { open: ranges.length > 0, ranges: ranges.length ? ranges.map((r) => [r[0], r[1]] as Range) : [["09:00", "18:00"]] };
  }
  return rows;
}

export function hoursOf(rows: Record<Day, DayRow>): Hours {
  const hours: Hours = {};
  for (const day of DAYS) {
    const row = rows[day];
    if (row.open) hours[day] = row.ranges.filter(([a, b]) => a && b);
  }
  return hours;
}

// A bad range of the table, to say which day to fix: "bad" time or a range that ends where it starts.
export function hoursProblem(rows: Record<Day, DayRow>): Day | null {
  for (const day of DAYS) {
    const row = rows[day];
    if (!row.open) continue;
    if (row.ranges.length === 0) return day;
    for (const [a, b] of row.ranges) if (!isTime(a) || !isTime(b) || a === b) return day;
  }
  return null;
}

// The path part of a site's page in the dashboard.
export function sitePath(siteId: string, tab?: string): string {
  return `/app/settings/sites/${encodeURIComponent(siteId)}${tab ? `/${tab}` : ""}`;
}

// E.164 numbers go into paths encoded ("+" would read as a space).
export function numberPath(number: string): string {
  return encodeURIComponent(number);
}
