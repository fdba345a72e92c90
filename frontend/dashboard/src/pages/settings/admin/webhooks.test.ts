import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  EVENT_TYPES, RINGBACK_V1, SCHEMES, SCHEME_HEADERS, STANDARD_WEBHOOKS, changedFields, eventsToSend, outcomeKey, overlapping,
  schemeOf, type Delivery,
} from "./webhooks";

// The API's contract and its code, as text: the page's event list must match both.
const REPO = new URL("../../../../../../", import.meta.url);
const text = (path: string) => readFileSync(new URL(path, REPO), "utf8");

function openapiEvents(): string[] {
  const schema = text("docs/openapi.yaml").split("\n    WebhookEvents:")[1];
  const list = /enum: \[([^\]]*)\]/.exec(schema)![1];
  return list.split(",").map((s) => s.trim().replace(/^'|'$/g, "")).filter((s) => s !== "*");
}

function codeEvents(): string[] {
  const tuple = /^EVENT_TYPES = \(([\s\S]*?)\)\n/m.exec(text("functions/ringback/calls/events.py"))![1];
  return [...tuple.matchAll(/"([a-z_.]+)"/g)].map((m) => m[1]);
}

describe("the event types an endpoint may subscribe to", () => {
  it("are every type the API sends, as its code lists them", () => {
    expect(EVENT_TYPES.map((e) => e.type).sort()).toEqual(codeEvents().sort());
  });

  it("are every type the API's contract documents", () => {
    expect(EVENT_TYPES.map((e) => e.type).sort()).toEqual(openapiEvents().sort());
  });

  it("send every type as the wildcard, or the chosen ones in the page's order", () => {
    expect(eventsToSend(true, ["call.missed"])).toEqual(["*"]);
    expect(eventsToSend(false, ["call.missed", "call.ringing"])).toEqual(["call.ringing", "call.missed"]);
  });

  it("keep a type the API added after this page was built", () => {
    expect(eventsToSend(false, ["call.later", "call.missed"])).toEqual(["call.missed", "call.later"]);
  });
});

describe("a delivery's outcome in words", () => {
  it("names each outcome the log records", () => {
    expect(["delivered", "failed", "refused", "timed_out"].map((o) => outcomeKey(o as Delivery["outcome"])))
      .toEqual(["admDelivered", "admNotDelivered", "admDeliveryRefused", "admDeliveryTimedOut"]);
  });
});

describe("how an endpoint's deliveries are signed", () => {
  const events = text("functions/ringback/calls/events.py");

  it("offers the schemes the API's contract and code know, Standard Webhooks first", () => {
    const schema = text("docs/openapi.yaml").split("\n    WebhookSignatureScheme:")[1];
    const documented = /enum: \[([^\]]*)\]/.exec(schema)![1].split(",").map((s) => s.trim());
    expect(SCHEMES.map((s) => s.scheme)).toEqual(documented);
    const code = /^STANDARD_WEBHOOKS, RINGBACK_V1 = "([^"]+)", "([^"]+)"/m.exec(events)!;
    expect([STANDARD_WEBHOOKS, RINGBACK_V1]).toEqual([code[1], code[2]]);
  });

  it("names the headers signed_headers sets for each scheme", () => {
    const signing = events.split("def signed_headers")[1].split("\ndef ")[0];
    const [standard, first] = signing.split("else:");
    for (const { header } of SCHEME_HEADERS[STANDARD_WEBHOOKS]) expect(standard).toContain(`"${header}"`);
    expect(first).toContain('"Ringback-Signature"');
    expect(signing).toContain('"Ringback-Event-Id"'); // set for both, named for the first format's receivers
    expect(SCHEME_HEADERS[RINGBACK_V1].map((h) => h.header)).toEqual(["Ringback-Event-Id", "Ringback-Signature"]);
  });

  it("reads an endpoint without a scheme as the first format, which it was made with", () => {
    expect(schemeOf({})).toBe(RINGBACK_V1);
    expect(schemeOf({ signatureScheme: STANDARD_WEBHOOKS })).toBe(STANDARD_WEBHOOKS);
  });

  it("has two valid secrets only until the overlap ends", () => {
    expect(overlapping({ previousSecretExpiresAt: 2_000 }, 1_000)).toBe(true);
    expect(overlapping({ previousSecretExpiresAt: 2_000 }, 2_000)).toBe(false);
    expect(overlapping({ previousSecretExpiresAt: null }, 1_000)).toBe(false);
  });

  it("sends a change of the fields changed only, so an edit of the URL never re-checks the scheme", () => {
    const before = { url: "https://a.example/in", events: ["*"], enabled: true, signatureScheme: RINGBACK_V1 };
    expect(changedFields(before, { ...before, url: "https://b.example/in" })).toEqual({ url: "https://b.example/in" });
    expect(changedFields(before, { ...before, signatureScheme: STANDARD_WEBHOOKS })).toEqual({ signatureScheme: STANDARD_WEBHOOKS });
    expect(changedFields(before, { ...before })).toEqual({});
  });
});
