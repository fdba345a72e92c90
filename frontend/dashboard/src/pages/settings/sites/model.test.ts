import { describe, expect, it } from "vitest";
import { hoursOf, hoursProblem, hoursRows, matchesAll, moved, ruleFields, ruleOf, splitList } from "./model";

describe("the editors' lists and rules", () => {
  it("reads a list typed with commas or one a line, dropping blanks", () => {
    expect(splitList(" a.com,\nb.com ,, \n c.com")).toEqual(["a.com", "b.com", "c.com"]);
  });

  it("moves a rule up and down the order, and not past either end", () => {
    expect(moved(["a", "b", "c"], 2, 1)).toEqual(["a", "c", "b"]);
    expect(moved(["a", "b", "c"], 0, 1)).toEqual(["b", "a", "c"]);
    expect(moved(["a", "b", "c"], 0, -1)).toEqual(["a", "b", "c"]);
    expect(moved(["a", "b", "c"], 2, 3)).toEqual(["a", "b", "c"]);
  });

  it("turns a rule into its fields and back, leaving empty conditions out", () => {
    const rule = { utm_medium: ["cpc", "ppc"], referrer_domain: ["yelp.com"], priority: 5 };
    const fields = ruleFields(rule);
    expect(fields.utm_medium).toBe("cpc, ppc");
    expect(fields.utm_source).toBe("");
    expect(ruleOf(fields)).toEqual(rule);
    expect(ruleOf(ruleFields({}))).toEqual({});
    expect(matchesAll({ priority: 3 })).toBe(true);
    expect(matchesAll(rule)).toBe(false);
  });
});

describe("the weekly hours table", () => {
  it("keeps the open days with their ranges and leaves closed days out", () => {
    const rows = hoursRows({ mon: [["09:00", "13:00"], ["14:00", "18:00"]], sat: [["10:00", "14:00"]] });
    expect(rows.tue.open).toBe(false);
    rows.sat.open = false;
    expect(hoursOf(rows)).toEqual({ mon: [["09:00", "13:00"], ["14:00", "18:00"]] });
  });

  it("names the first day with a range that cannot be saved", () => {
    const rows = hoursRows({ mon: [["09:00", "18:00"]], wed: [["10:00", "10:00"]] });
    expect(hoursProblem(rows)).toBe("wed");
    rows.wed.ranges = [["10:00", "22:00"]];
    expect(hoursProblem(rows)).toBeNull();
    rows.fri = { open: true, ranges: [["", "18:00"]] };
    expect(hoursProblem(rows)).toBe("fri");
  });
});
