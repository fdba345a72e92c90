import { describe, expect, it } from "vitest";
import { daysIn, presetRange, previousRange, rangeFromQuery, rangeProblem } from "./range";

describe("a report's days", () => {
  it("ends a preset today and counts today in it", () => {
    expect(presetRange("7", "2026-03-15")).toEqual({ from: "2026-03-09", to: "2026-03-15" });
    expect(presetRange("30", "2026-03-15")).toEqual({ from: "2026-02-14", to: "2026-03-15" });
    expect(presetRange("month", "2026-03-15")).toEqual({ from: "2026-03-01", to: "2026-03-15" });
    expect(daysIn(presetRange("90", "2026-03-15"))).toBe(90);
  });

  it("compares with as many days just before, across months, years and clock changes", () => {
    expect(previousRange({ from: "2026-03-01", to: "2026-03-15" })).toEqual({ from: "2026-02-14", to: "2026-02-28" });
    expect(previousRange({ from: "2026-01-01", to: "2026-01-07" })).toEqual({ from: "2025-12-25", to: "2025-12-31" });
    // 29 March 2026 is a daylight-saving change in Europe: the day still counts once.
    expect(previousRange({ from: "2026-03-30", to: "2026-04-05" })).toEqual({ from: "2026-03-23", to: "2026-03-29" });
    expect(previousRange({ from: "2026-05-05", to: "2026-05-05" })).toEqual({ from: "2026-05-04", to: "2026-05-04" });
  });

  it("refuses a custom range the API would refuse, in words", () => {
    expect(rangeProblem({ from: "2026-03-02", to: "2026-03-01" })).toBe("repRangeOrder");
    expect(rangeProblem({ from: "2025-01-01", to: "2026-01-02" })).toBe("repRangeLong");
    expect(rangeProblem({ from: "2026-02-30", to: "2026-03-01" })).toBe("repRangeFormat");
    expect(rangeProblem({ from: "", to: "2026-03-01" })).toBe("repRangeFormat");
    expect(rangeProblem({ from: "2025-01-01", to: "2026-01-01" })).toBeNull();
  });

  it("reads the address, falling back to the last 30 days on anything it cannot read", () => {
    expect(rangeFromQuery({ range: "custom", from: "2026-01-05", to: "2026-01-09" }, "2026-03-15"))
      .toEqual({ preset: "custom", range: { from: "2026-01-05", to: "2026-01-09" } });
    expect(rangeFromQuery({ range: "custom", from: "2026-01-09", to: "2026-01-05" }, "2026-03-15").preset).toBe("30");
    expect(rangeFromQuery({ range: "weekly" }, "2026-03-15")).toEqual({ preset: "30", range: { from: "2026-02-14", to: "2026-03-15" } });
    expect(rangeFromQuery({ range: "7" }, "2026-03-15").range.from).toBe("2026-03-09");
  });
});
