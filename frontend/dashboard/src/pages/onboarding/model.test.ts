import { describe, expect, it } from "vitest";
import type { Call } from "../../api";
import { translator } from "../../i18n";
import {
  type Site, batches, domainsOf, landingStep, latestCall, orderedChecks, pageUrl, progressOf, ruleOf, stepDone,
} from "./model";

const site: Site = {
  siteId: "s_1", name: "Leak Fixers", siteKey: "k", domains: ["leak.example"], ownNumbers: ["+12065550100"],
  destinationNumbers: [], alertContacts: [], country: "US", timezone: "America/Denver", workingHours: {},
  createdAt: 1_000, version: 1,
};
const pooled = { number: "+12125550101", kind: "pool" as const, capabilities: { voice: true, sms: true }, channel: {},
  poolId: "p", poolName: "All" };

function call(id: string, at: number, siteId = "s_1", session: string | null = null): Call {
  return { call_id: id, site_id: siteId, tracking_number: "+12125550101", caller: "+14155550061", started_at: at,
    status: "answered", attribution: { session_id: session } };
}

describe("where a customer lands in the wizard", () => {
  it("starts a new account at the site, then the install check until numbers are bought", () => {
    expect(landingStep(progressOf(null, [], [], false))).toBe("site");
    expect(landingStep(progressOf(site, [], [], false))).toBe("install");
    expect(landingStep(progressOf(site, [], [], true))).toBe("numbers");
    expect(landingStep(progressOf(site, [pooled], [], false))).toBe("call");
  });

  it("counts only the site's own calls, and one matched to a visit proves the snippet runs", () => {
    const other = progressOf(site, [pooled], [call("c0", 5, "s_other", "v1")], false);
    expect(other.call).toBe(false);
    expect(other.installed).toBe(false);
    const matched = progressOf(site, [pooled], [call("c1", 5, "s_1", "v1")], false);
    expect(matched).toEqual({ site: true, installed: true, numbers: true, call: true });
    expect(stepDone("snippet", matched) && stepDone("install", matched) && stepDone("call", matched)).toBe(true);
    expect(progressOf(site, [pooled], [call("c2", 5)], false).installed).toBe(false);
  });

  it("shows the newest call of the site as the one that arrived", () => {
    expect(latestCall(site, [call("old", 1), call("new", 9), call("x", 20, "s_other")])?.call_id).toBe("new");
    expect(latestCall(site, [])).toBeNull();
  });
});

describe("what the customer types, as the API takes it", () => {
  it("reads several domains however they are separated, once each", () => {
    expect(domainsOf(" example.com, shop.example.com\nexample.com ; ")).toEqual(["example.com", "shop.example.com"]);
  });

  it("makes a page address of a bare host", () => {
    expect(pageUrl("leak.example/contact")).toBe("https://leak.example/contact");
    expect(pageUrl("http://127.0.0.1:8080/")).toBe("http://127.0.0.1:8080/");
  });

  it("shows numbers to everyone, or to one utm_source", () => {
    expect(ruleOf("all", "google")).toEqual({});
    expect(ruleOf("source", " Google ")).toEqual({ utm_source: ["google"] });
    expect(ruleOf("source", "  ")).toEqual({});
  });

  it("buys more than twenty numbers in batches the API takes", () => {
    expect(batches(29)).toEqual([20, 9]);
    expect(batches(3)).toEqual([3]);
    expect(batches(0)).toEqual([]);
  });

  it("lists an install check's answers in the order a customer fixes them", () => {
    const checks = orderedChecks({ url: "u", installed: false, checks: [
      { check: "reachable", ok: true, message: "" }, { check: "snippet", ok: false, message: "" },
      { check: "site_key", ok: false, message: "" }, { check: "domain", ok: false, message: "" }] });
    expect(checks.map((c) => c.check)).toEqual(["reachable", "domain", "snippet", "site_key"]);
  });
});

describe("the wizard's texts", () => {
  it("has every text in Russian too", () => {
    const en = translator("en");
    const ru = translator("ru");
    expect(en("onbStepOf", { n: 2, total: 5, title: "The snippet" })).toBe("Step 2 of 5: The snippet");
    expect(ru("onbStepOf", { n: 2, total: 5, title: "Код" })).toBe("Шаг 2 из 5: Код");
  });
});
