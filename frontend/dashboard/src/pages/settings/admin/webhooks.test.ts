import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { EVENT_TYPES, eventsToSend, outcomeKey, type Delivery } from "./webhooks";

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
