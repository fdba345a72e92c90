import { describe, expect, it } from "vitest";
import * as auth from "./auth";
import * as callbacks from "./callbacks";
import * as calls from "./calls";
import * as common from "./common";
import * as onboarding from "./onboarding";
import * as reports from "./reports";
import * as settings from "./settings";

// Names a Russian page keeps as they are: the product, e-mail, UTM's parameters, the
// Standard Webhooks specification.
const TERMS = /Ringback|E-mail|UTM \w+|Standard Webhooks/g;
const AREAS = { common, auth, calls, callbacks, reports, settings, onboarding };

describe("the dashboard's texts", () => {
  it("give each key to one area only, so no page shows another area's words", () => {
    const owners = new Map<string, string[]>();
    for (const [name, area] of Object.entries(AREAS)) {
      for (const key of Object.keys(area.en)) owners.set(key, [...(owners.get(key) ?? []), name]);
    }
    expect([...owners].filter(([, areas]) => areas.length > 1)).toEqual([]);
  });

  it("have a Russian text for every English one, and no Russian text left in English", () => {
    for (const area of Object.values(AREAS)) {
      expect(Object.keys(area.ru).sort()).toEqual(Object.keys(area.en).sort());
      const same = Object.keys(area.en).filter((k) => (area.en as Record<string, string>)[k] === (area.ru as Record<string, string>)[k]
        && /[a-z]{4,}/i.test((area.en as Record<string, string>)[k].replace(/\{\w+\}/g, "").replace(TERMS, "")));
      expect(same).toEqual([]);
    }
  });
});
