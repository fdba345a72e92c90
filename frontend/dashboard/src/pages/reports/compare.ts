// Two periods of one report side by side, and a report's rows grouped into chart bars.
import { additive, type Row } from "./model";

export interface Compared {
  key: string;
  // null: the row is only in the other period (a campaign that stopped, or a new one).
  row: Row | null;
  previous: Row | null;
}

export function keyOf(row: Row, dimensions: string[]): string {
  return JSON.stringify(dimensions.map((d) => row[d] ?? null));
}

// The current rows in the API's order, each with the previous period's row of the same
// key, then the rows only the previous period had.
export function compareRows(current: Row[], previous: Row[] | null, dimensions: string[]): Compared[] {
  if (previous === null) return current.map((row) => ({ key: keyOf(row, dimensions), row, previous: null }));
  const before = new Map(previous.map((row) => [keyOf(row, dimensions), row]));
  const seen = new Set<string>();
  const rows: Compared[] = current.map((row) => {
    const key = keyOf(row, dimensions);
    seen.add(key);
    return { key, row, previous: before.get(key) ?? null };
  });
  for (const [key, row] of before) if (!seen.has(key)) rows.push({ key, row: null, previous: row });
  return rows;
}

function numberOr(value: unknown, absent: number | null): number | null {
  return typeof value === "number" && Number.isFinite(value) ? value : absent;
}

// The change of one measure between the periods. A count missing from a period is zero
// there (no row: nothing counted); a share or an average missing is unknown.
export function delta(column: string, dimensions: string[], row: Row | null, previous: Row | null): number | null {
  const absent = additive(column, dimensions) ? 0 : null;
  const now = numberOr(row?.[column], row ? null : absent);
  const before = numberOr(previous?.[column], previous ? null : absent);
  if (now === null || before === null) return null;
  return Math.round((now - before) * 100) / 100;
}

export interface Bar {
  key: string;
  // The values of the columns that name the bar (source, or source / medium / campaign).
  parts: unknown[];
  values: Record<string, number | null>;
}

// Bars from rows: rows with the same values of `by` become one bar, their additive
// measures summed; a bar of one row keeps its measures as they are.
export function bars(rows: Row[], by: string[], measures: string[], dimensions: string[]): Bar[] {
  const found = new Map<string, { parts: unknown[]; rows: Row[] }>();
  for (const row of rows) {
    const key = keyOf(row, by);
    const bar = found.get(key) ?? { parts: by.map((c) => row[c] ?? null), rows: [] };
    bar.rows.push(row);
    found.set(key, bar);
  }
  return [...found.entries()].map(([key, bar]) => ({
    key, parts: bar.parts,
    values: Object.fromEntries(measures.map((m) => {
      if (bar.rows.length === 1) return [m, numberOr(bar.rows[0][m], null)];
      if (!additive(m, dimensions)) return [m, null];
      return [m, bar.rows.reduce((sum, r) => sum + (numberOr(r[m], 0) as number), 0)];
    })),
  }));
}

// A chart's bars for this period and the previous, on one set of labels: this period's
// largest first, then those only the previous period had. `absent` is a bar's value in a
// period without it: 0 for a count, unknown (null) for a share.
export function chartBars(current: Bar[], previous: Bar[] | null, measure: string, limit: number, absent: number | null = null):
  { key: string; parts: unknown[]; now: number | null; before: number | null }[] {
  const before = new Map((previous ?? []).map((b) => [b.key, b]));
  const ranked = [...current].sort((a, b) => (b.values[measure] ?? -Infinity) - (a.values[measure] ?? -Infinity));
  const keys = new Set(ranked.map((b) => b.key));
  const onlyBefore = (previous ?? []).filter((b) => !keys.has(b.key))
    .sort((a, b) => (b.values[measure] ?? -Infinity) - (a.values[measure] ?? -Infinity));
  return [...ranked, ...onlyBefore].slice(0, limit).map((bar) => ({
    key: bar.key, parts: bar.parts,
    now: keys.has(bar.key) ? bar.values[measure] ?? null : absent,
    before: previous ? (before.has(bar.key) ? before.get(bar.key)!.values[measure] ?? null : absent) : null,
  }));
}
