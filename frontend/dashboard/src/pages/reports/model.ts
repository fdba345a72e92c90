// What the reports API answers (GET /v1/reports, GET /v1/reports/{name}) and how the
// dashboard reads its columns. Columns are taken from each answer, never assumed: a column
// the API adds shows in the table by itself, and is charted when it is a known measure.

export type Row = Record<string, unknown>;

export interface ReportInfo {
  name: string;
  title: string;
  description: string;
  filters: string[];
  timezone: boolean;
  touches: string[];
}

export interface ReportAnswer {
  report: string;
  title: string;
  from: string;
  to: string;
  timezone: string;
  tenants: string[];
  filters: Record<string, string>;
  touch?: string;
  columns: string[];
  rows: Row[];
  bytesScanned: number | null;
}

export type Kind = "dimension" | "count" | "pct" | "seconds" | "money" | "text";

// The columns that name a row (what a row is "of"): the key rows are matched on when two
// periods are compared. Unknown reports fall back to their text columns.
const DIMENSIONS: Record<string, string[]> = {
  calls_by_source: ["source", "medium", "campaign", "keyword", "landing_page"],
  answered_by_hour: ["weekday", "hour_of_day"],
  callers: ["callers"],
  callback_funnel: [],
  pool_health: ["pool_id"],
  cost_per_lead: ["tenant_id", "source", "medium", "campaign"],
  missed_call_alerts: ["site_id"],
  agency_rollup: ["tenant_id"],
};

const TEXT_COLUMNS = new Set(["currency", "sale_currency", "error_codes"]);
const MONEY_COLUMNS = new Set(["spend", "sale_value"]);
// Measures that add up across rows (a chart grouped by source sums them); shares,
// averages and percentiles do not.
const NOT_ADDITIVE: Kind[] = ["pct", "seconds"];

export function dimensionsOf(report: string, columns: string[], rows: Row[]): string[] {
  const known = DIMENSIONS[report];
  if (known) return known.filter((c) => columns.includes(c));
  return columns.filter((c) => !TEXT_COLUMNS.has(c) && rows.some((r) => typeof r[c] === "string"));
}

export function kindOf(column: string, dimensions: string[]): Kind {
  if (dimensions.includes(column)) return "dimension";
  if (TEXT_COLUMNS.has(column)) return "text";
  if (column.endsWith("_pct")) return "pct";
  if (column.endsWith("_seconds")) return "seconds";
  if (MONEY_COLUMNS.has(column) || column.startsWith("cost_per_")) return "money";
  return "count";
}

export function additive(column: string, dimensions: string[]): boolean {
  const kind = kindOf(column, dimensions);
  return kind !== "dimension" && kind !== "text" && !NOT_ADDITIVE.includes(kind) && !column.startsWith("cost_per_");
}

// The currency a money column is in: its row's currency column.
export function currencyOf(column: string, row: Row): string | null {
  const value = column === "sale_value" ? row.sale_currency : row.currency;
  return typeof value === "string" && value !== "mixed" ? value : null;
}

export type ChartKind = "bar" | "heatmap" | "funnel";

export interface ChartSpec {
  kind: ChartKind;
  // The measures offered, in this order, when the answer has them; the first is shown first.
  measures: string[];
  // Which rows a bar stands for: the columns joined into its label. Several groupings are
  // offered when given (calls by source: by source, by campaign, or each row).
  groups: Record<string, string[]>;
  // Rows left out of the chart (callers: the "all" row beside its parts).
  skip?: (row: Row) => boolean;
  // Bars always drawn, as none when the answer has no such row: first-time against
  // returning callers shows both even when everyone was new.
  always?: Row[];
}

const BY_SOURCE = { source: ["source"], campaign: ["campaign"], row: ["source", "medium", "campaign"] };

export const CHARTS: Record<string, ChartSpec> = {
  calls_by_source: {
    kind: "bar", groups: BY_SOURCE,
    measures: ["calls", "answered", "missed", "first_time_callers", "leads", "sales", "sale_value"],
  },
  answered_by_hour: { kind: "heatmap", groups: {}, measures: ["calls", "answered", "missed", "answered_pct"] },
  callers: {
    kind: "bar", groups: { kind: ["callers"] }, skip: (row) => row.callers === "all",
    always: [{ callers: "first_time" }, { callers: "returning" }],
    measures: ["calls", "unique_callers", "answered", "answered_pct", "avg_ring_seconds", "p90_ring_seconds"],
  },
  callback_funnel: { kind: "funnel", groups: {}, measures: [] },
  pool_health: {
    kind: "bar", groups: { pool: ["pool_id"] },
    measures: ["utilisation_pct", "overflow_pct", "leases", "calls", "calls_on_shared_lines"],
  },
  cost_per_lead: {
    kind: "bar", groups: { row: ["source", "medium", "campaign"] }, skip: (row) => row.spend === null || row.spend === undefined,
    measures: ["cost_per_call", "cost_per_lead", "cost_per_contact", "spend", "calls", "leads"],
  },
  missed_call_alerts: {
    kind: "bar", groups: { site: ["site_id"] },
    measures: ["missed_calls", "alerted_calls", "texts_delivered", "texts_failed", "calls_no_text_reached"],
  },
  agency_rollup: {
    kind: "bar", groups: { account: ["tenant_id"] },
    measures: ["calls", "answered", "answered_pct", "callbacks", "connected", "connected_pct"],
  },
};

// A report the dashboard has no chart for still gets one: its numeric columns by its
// first dimension.
export function chartOf(report: string, columns: string[], rows: Row[]): ChartSpec | null {
  const known = CHARTS[report];
  if (known) return known;
  const dims = dimensionsOf(report, columns, rows);
  const measures = columns.filter((c) => !dims.includes(c) && rows.some((r) => typeof r[c] === "number"));
  return dims.length && measures.length ? { kind: "bar", groups: { row: [dims[0]] }, measures } : null;
}

// The measures of a chart this answer can draw: known, present, and (when the bars group
// several rows) adding up.
export function measuresFor(spec: ChartSpec, columns: string[], dimensions: string[], grouped: boolean): string[] {
  return spec.measures.filter((m) => columns.includes(m) && (!grouped || additive(m, dimensions)));
}

// The reports that count calls say "no calls"; the others name what they count.
export function emptyText(report: string): "repEmpty" | "repEmptyCallbacks" | "repEmptyPools" {
  if (report === "callback_funnel") return "repEmptyCallbacks";
  if (report === "pool_health") return "repEmptyPools";
  return "repEmpty";
}

// An answer with nothing in it: no rows, or (the funnel's one row of totals) all zeros.
export function isEmpty(answer: ReportAnswer): boolean {
  if (answer.rows.length === 0) return true;
  if (answer.report === "callback_funnel") return !answer.rows.some((r) => Number(r.requested) > 0);
  if (answer.report === "agency_rollup") return !answer.rows.some((r) => Number(r.calls) > 0 || Number(r.callbacks) > 0);
  return false;
}
