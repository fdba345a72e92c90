import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { translator } from "../../../i18n";
import { ACTIONS, changes, kindOf, shown } from "./audit";

// Every Python file of the API, as text: each action it records must have words here.
const API = new URL("../../../../../../functions/ringback/", import.meta.url);
const sources = readdirSync(API, { recursive: true, encoding: "utf8" })
  .filter((path) => path.endsWith(".py"))
  .map((path) => readFileSync(new URL(path, API), "utf8"));

function recordedActions(): Set<string> {
  const found = new Set<string>();
  for (const source of sources) {
    const constants = new Map([...source.matchAll(/^([A-Z_]+) = "([a-z_]+\.[a-z_]+)"$/gm)].map((m) => [m[1], m[2]]));
    for (const call of source.matchAll(/(?:record|record_for|_record|_save)\(([^)]*)/g)) {
      for (const literal of call[1].matchAll(/"([a-z_]+\.[a-z_]+)"/g)) found.add(literal[1]);
      for (const name of call[1].matchAll(/\b([A-Z_]{4,})\b/g)) if (constants.has(name[1])) found.add(constants.get(name[1])!);
    }
  }
  return found;
}

describe("an audit entry's changes", () => {
  it("lists the fields that changed, before and after", () => {
    expect(changes({ name: "Old", kind: "customer", plan: "trial" }, { name: "New", kind: "agency", plan: "trial" })).toEqual([
      { field: "name", before: "Old", after: "New" },
      { field: "kind", before: "customer", after: "agency" },
    ]);
  });

  it("follows nested objects by a dotted path and compares lists whole", () => {
    expect(changes({ hours: { mon: [9, 17] }, tags: ["a"] }, { hours: { mon: [10, 17] }, tags: ["a"] })).toEqual([
      { field: "hours.mon", before: [9, 17], after: [10, 17] },
    ]);
  });

  it("lists what was made, and what went", () => {
    const made = { before: null, after: { keyId: "k1", access: "read", revokedAt: null } };
    expect(kindOf(made)).toBe("created");
    expect(changes(made.before, made.after)).toEqual([{ field: "keyId", after: "k1" }, { field: "access", after: "read" }]);
    const gone = { before: { email: "a@b.co" }, after: null };
    expect(kindOf(gone)).toBe("removed");
    expect(changes(gone.before, gone.after)).toEqual([{ field: "email", before: "a@b.co" }]);
  });

  it("shows a bare value as one change", () => {
    expect(changes(["+1415"], ["+1415", "+1416"])).toEqual([{ field: "", before: ["+1415"], after: ["+1415", "+1416"] }]);
  });
});

describe("a value in one line", () => {
  const time = (ms: number) => `at ${ms}`;
  const yesNo = (v: boolean) => (v ? "yes" : "no");
  it("writes times as dates, lists joined, nothing as a dash", () => {
    expect(shown("createdAt", 1_700_000_000_000, time, yesNo)).toBe("at 1700000000000");
    expect(shown("retentionDays", 395, time, yesNo)).toBe("395");
    expect(shown("events", ["call.missed", "call.answered"], time, yesNo)).toBe("call.missed, call.answered");
    expect(shown("revokedAt", null, time, yesNo)).toBe("–");
    expect(shown("enabled", false, time, yesNo)).toBe("no");
  });

  it("cuts a long object short", () => {
    const long = shown("widget", { text: "x".repeat(300) }, time, yesNo);
    expect(long.length).toBe(120);
    expect(long.endsWith("…")).toBe(true);
  });
});

describe("the actions the log names in words", () => {
  it("include every action the API records", () => {
    const recorded = recordedActions();
    expect(recorded).toContain("caller_id.verification_started"); // named by a constant
    expect(recorded).toContain("site.widget_updated");            // passed through a helper
    const missing = [...recorded].filter((action) => !(action in ACTIONS)).sort();
    expect(missing).toEqual([]);
  });

  it("have English and Russian words", () => {
    const en = translator("en");
    const ru = translator("ru");
    for (const key of Object.values(ACTIONS)) {
      expect(en(key)).not.toBe("");
      expect(ru(key)).not.toBe(en(key));
    }
  });
});
