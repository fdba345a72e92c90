import { describe, expect, it } from "vitest";
import type { Attribution } from "./api";
import { explain, sourceOf } from "./explain";
import { languageOf, translator } from "./i18n";

const en = translator("en");
const ru = translator("ru");

const byCode: Attribution = {
  method: "code", session_id: "s1", confidence: 0.9996, level: "high", source: "google", medium: "cpc",
  campaign: "spring", runner_up: { session_id: "s2", visitor_key: "x#2", probability: 0.0004, reasons: ["held"] },
  candidates: [{ session_id: "s1", visitor_key: "x#1", probability: 0.9996, reasons: ["shown", "code", "same_region"] }],
};

describe("a call's attribution in words", () => {
  it("names the strongest evidence first and never rounds up to certainty", () => {
    expect(explain(byCode, en)).toEqual([
      "keyed the code shown on their visit", "was shown the number before calling",
      "their phone is from the visit's region", "99.9% sure", "next likeliest: 0%",
    ]);
    expect(sourceOf(byCode, en)).toBe("google / cpc / spring");
  });

  it("says how long before the call the visitor tapped or was last on the site", () => {
    const tapped: Attribution = { ...byCode, method: "ranked", runner_up: null, candidates: [
      { session_id: "s1", visitor_key: "x#1", probability: 0.98, reasons: ["tapped", "shown"],
        tapped_seconds_before: 8, active_seconds_before: 240 }] };
    expect(explain(tapped, en).slice(0, 2)).toEqual([
      "tapped the number 8 s before calling", "was on the site 4 min before calling"]);
    expect(explain(tapped, ru)[0]).toBe("нажал на номер за 8 с до звонка");
  });

  it("says an unattributed call is not attributed, with how likely its best candidate was", () => {
    const left: Attribution = { method: "unattributed", session_id: null, confidence: 0.31,
      candidates: [{ session_id: "s9", visitor_key: "x#9", probability: 0.31, reasons: ["shown"] }] };
    expect(explain(left, en)).toEqual(["Not attributed", "31% sure"]);
    expect(sourceOf(left, en)).toBe("Not attributed");
    expect(explain({ method: "unattributed", session_id: null, candidates: [] }, ru)[0]).toContain("никому");
  });

  it("speaks Russian to a Russian browser and English otherwise", () => {
    expect(languageOf(["ru-RU", "en"])).toBe("ru");
    expect(languageOf(["de-DE"])).toBe("en");
    expect(explain(byCode, ru)[0]).toBe("ввёл код, показанный при визите");
  });
});
