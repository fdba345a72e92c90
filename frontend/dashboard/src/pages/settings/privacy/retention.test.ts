import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { translator } from "../../../i18n";
import { DEFAULT_RECORDING_RETENTION_DAYS, RETENTION_CHOICES, retentionLabel, retentionOf } from "./retention";

const REPO = new URL("../../../../../../", import.meta.url);
const text = (path: string) => readFileSync(new URL(path, REPO), "utf8");
const en = translator("en");

describe("how long recordings are kept", () => {
  it("offers exactly the periods the API takes, as its code lists them", () => {
    const code = /^RECORDING_RETENTION_DAYS: tuple\[int, \.\.\.\] = \(([^)]*)\)/m.exec(text("functions/ringback/calls/retention.py"))![1];
    expect(RETENTION_CHOICES.map((c) => c.days)).toEqual(code.split(",").map((d) => Number(d.trim())));
    const default_ = /^DEFAULT_RECORDING_RETENTION_DAYS = (\d+)/m.exec(text("functions/ringback/calls/retention.py"))![1];
    expect(DEFAULT_RECORDING_RETENTION_DAYS).toBe(Number(default_));
  });

  it("offers the periods the API's contract documents", () => {
    const contract = text("docs/openapi.yaml");
    const enums = [...contract.matchAll(/recordingRetentionDays:[^\n]*\n?[^\n]*enum: \[([^\]]*)\]/g)].map((m) => m[1]);
    expect(enums.length).toBeGreaterThan(0);
    for (const list of enums) expect(list.split(",").map((d) => Number(d.trim()))).toEqual(RETENTION_CHOICES.map((c) => c.days));
  });

  it("reads an account without the field as the default, and names a period it does not offer", () => {
    expect(retentionOf({})).toBe(90);
    expect(retentionOf({ recordingRetentionDays: 365 })).toBe(365);
    expect(en(retentionLabel(365).key)).toBe("1 year");
    const odd = retentionLabel(45);
    expect(en(odd.key, odd.values)).toBe("45 days");
  });
});
