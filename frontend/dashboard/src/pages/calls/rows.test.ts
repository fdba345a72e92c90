import { describe, expect, it } from "vitest";
import type { Call } from "../../api";
import { mergeRows } from "./rows";

function call(id: string, at: number, status = "answered"): Call {
  return { call_id: id, site_id: "s_1", tracking_number: "+12125550101", caller: "+14155550061", started_at: at,
    status, attribution: { session_id: null } };
}

describe("the calls log with older pages open", () => {
  it("loses no call when a new one pushes the newest page's last call out of it", () => {
    // Pages of two: c4 c3 | c2 c1. Then c5 arrives: the newest page is c5 c4.
    const keptFirst = [call("c4", 4), call("c3", 3)];
    const olderPage = [call("c2", 2), call("c1", 1)];
    const rows = mergeRows([call("c5", 5), call("c4", 4)], [...keptFirst, ...olderPage]);
    expect(rows.map((c) => c.call_id)).toEqual(["c5", "c4", "c3", "c2", "c1"]);
  });

  it("shows a call in both as the newest page has it", () => {
    const rows = mergeRows([call("c2", 2, "answered")], [call("c2", 2, "ringing"), call("c1", 1)]);
    expect(rows.map((c) => [c.call_id, c.status])).toEqual([["c2", "answered"], ["c1", "answered"]]);
  });
});
