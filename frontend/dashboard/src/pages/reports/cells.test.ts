import { describe, expect, it } from "vitest";
import { translator } from "../../i18n";
import { cellText, columnLabel, rowCount, type CellContext } from "./cells";
import { filenameFrom, fallbackName } from "./csv";
import { chartOf, dimensionsOf, isEmpty, kindOf, measuresFor } from "./model";
import { level } from "./Heatmap";

const en: CellContext = { t: translator("en"), language: "en", dimensions: ["source"], names: { tenant_id: { "t-1": "Acme Plumbing" } } };
const ru: CellContext = { ...en, t: translator("ru"), language: "ru" };

describe("a report's cells in words", () => {
  it("writes each kind of column as people read it", () => {
    expect(cellText("answered_pct", 66.7, {}, en)).toBe("66.7%");
    expect(cellText("avg_talk_seconds", 34.5, {}, en)).toBe("34.5 sec");
    expect(cellText("leased_seconds", 7200, {}, en)).toBe("2 hr");
    expect(cellText("cost_per_call", 42, { currency: "USD" }, en)).toBe("$42.00");
    expect(cellText("sale_value", 1200, { sale_currency: "mixed" }, en)).toBe("1,200");
    expect(cellText("calls", 3, {}, en, true)).toBe("+3");
    expect(cellText("calls", 0, {}, en, true)).toBe("0");
    expect(cellText("cost_per_call", -2.5, { currency: "USD" }, en, true)).toBe("−$2.50");
    expect(cellText("source", null, {}, en)).toBe("(not set)");
    expect(cellText("calls", null, {}, en)).toBe("–");
  });

  it("names weekdays, hours, callers and accounts in the reader's language", () => {
    const hours: CellContext = { ...en, dimensions: ["weekday", "hour_of_day", "callers", "tenant_id"] };
    expect(cellText("weekday", 1, {}, hours)).toBe("Monday");
    expect(cellText("weekday", 7, {}, { ...hours, t: ru.t, language: "ru" })).toBe("воскресенье");
    expect(cellText("hour_of_day", 9, {}, hours)).toBe("09:00");
    expect(cellText("callers", "first_time", {}, hours)).toBe("First-time callers");
    expect(cellText("tenant_id", "t-1", {}, hours)).toBe("Acme Plumbing");
    expect(cellText("answered_pct", 66.7, {}, ru)).toMatch(/^66,7\s?%$/);
  });

  it("counts rows as each language does", () => {
    expect([1, 3].map((n) => rowCount(n, en.t, "en"))).toEqual(["1 row", "3 rows"]);
    expect([1, 3, 5, 21].map((n) => rowCount(n, ru.t, "ru"))).toEqual(["1 строка", "3 строки", "5 строк", "21 строка"]);
  });

  it("labels a column the dashboard has no words for by its name", () => {
    expect(columnLabel("leads", en.t)).toBe("Leads");
    expect(columnLabel("repeat_callers_7d", en.t)).toBe("Repeat callers 7d");
  });
});

describe("the reports' columns", () => {
  it("reads measures from the answer, charting the known ones it has", () => {
    const columns = ["source", "medium", "campaign", "keyword", "landing_page", "calls", "answered", "answered_pct", "leads"];
    const dims = dimensionsOf("calls_by_source", columns, []);
    expect(dims).toEqual(["source", "medium", "campaign", "keyword", "landing_page"]);
    expect(kindOf("answered_pct", dims)).toBe("pct");
    const spec = chartOf("calls_by_source", columns, [])!;
    expect(measuresFor(spec, columns, dims, true)).toEqual(["calls", "answered", "leads"]);
    expect(measuresFor(spec, columns, dims, false)).toEqual(["calls", "answered", "leads"]);
  });

  it("charts a report it does not know by its first text column", () => {
    const spec = chartOf("new_report", ["region", "calls"], [{ region: "CA", calls: 3 }]);
    expect(spec?.groups).toEqual({ row: ["region"] });
    expect(spec?.measures).toEqual(["calls"]);
  });

  it("calls a funnel of zeros empty", () => {
    const answer = { report: "callback_funnel", rows: [{ requested: 0 }] } as never;
    expect(isEmpty(answer)).toBe(true);
  });

  it("shades the heatmap in five steps of the busiest cell", () => {
    expect([0, 1, 5, 9, 10].map((v) => level(v, 10))).toEqual([0, 1, 3, 5, 5]);
    expect(level(null, 10)).toBe(0);
  });
});

describe("the CSV download's name", () => {
  it("comes from Content-Disposition when the API sends one", () => {
    expect(filenameFrom('attachment; filename="calls_by_source_2026-03-01_2026-03-30.csv"')).toBe("calls_by_source_2026-03-01_2026-03-30.csv");
    expect(filenameFrom("attachment; filename*=UTF-8''r%C3%A9sum%C3%A9.csv")).toBe("résumé.csv");
    expect(filenameFrom('attachment; filename="../../etc/passwd"')).toBe("passwd");
    expect(filenameFrom(null)).toBeNull();
    expect(fallbackName("callers", "2026-03-01", "2026-03-30")).toBe("callers-2026-03-01-2026-03-30.csv");
  });
});
