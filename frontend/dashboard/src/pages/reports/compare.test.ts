import { describe, expect, it } from "vitest";
import { bars, chartBars, compareRows, delta } from "./compare";

const DIMS = ["source", "medium", "campaign"];
const now = [
  { source: "google", medium: "cpc", campaign: "spring", calls: 5, answered: 4, answered_pct: 80.0 },
  { source: "google", medium: "cpc", campaign: "summer", calls: 2, answered: 1, answered_pct: 50.0 },
  { source: null, medium: null, campaign: null, calls: 1, answered: 1, answered_pct: 100.0 },
];
const before = [
  { source: "google", medium: "cpc", campaign: "spring", calls: 3, answered: 3, answered_pct: 100.0 },
  { source: "bing", medium: "cpc", campaign: "spring", calls: 4, answered: 2, answered_pct: 50.0 },
];

describe("two periods of a report", () => {
  it("matches rows on what names them and keeps the rows only the previous period had", () => {
    const rows = compareRows(now, before, DIMS);
    expect(rows.map((r) => [r.row?.campaign ?? null, r.previous?.calls ?? null])).toEqual([
      ["spring", 3], ["summer", null], [null, null], [null, 4],
    ]);
    expect(rows[3].previous?.source).toBe("bing");
  });

  it("counts a missing row as none, but a share it had as unknown", () => {
    const [spring, summer, , bing] = compareRows(now, before, DIMS);
    expect(delta("calls", DIMS, spring.row, spring.previous)).toBe(2);
    expect(delta("answered_pct", DIMS, spring.row, spring.previous)).toBe(-20);
    expect(delta("calls", DIMS, summer.row, summer.previous)).toBe(2);
    expect(delta("answered_pct", DIMS, summer.row, summer.previous)).toBeNull();
    expect(delta("calls", DIMS, bing.row, bing.previous)).toBe(-4);
  });
});

describe("chart bars", () => {
  it("sums what adds up when a bar stands for several rows, and nothing that does not", () => {
    const bySource = bars(now, ["source"], ["calls", "answered_pct"], DIMS);
    expect(bySource.map((b) => [b.parts[0], b.values.calls, b.values.answered_pct])).toEqual([
      ["google", 7, null], [null, 1, 100.0],
    ]);
  });

  it("puts this period's largest first and the previous period's bars on the same labels", () => {
    const shown = chartBars(bars(now, ["source"], ["calls"], DIMS), bars(before, ["source"], ["calls"], DIMS), "calls", 10);
    expect(shown.map((b) => [b.parts[0], b.now, b.before])).toEqual([["google", 7, 3], [null, 1, null], ["bing", null, 4]]);
    expect(chartBars(bars(now, ["source"], ["calls"], DIMS), null, "calls", 1)).toHaveLength(1);
  });
});
