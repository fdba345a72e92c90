import { describe, expect, it } from "vitest";
import { translator } from "../../i18n";
import { type CallbackLeg, type CallbackRequest, pageOf, retryable, roundsOf, timelineOf } from "./model";
import { actorText, momentText, outcomeText, resultText, statusText } from "./words";

const en = translator("en");
const ru = translator("ru");

function leg(key: string, fields: Partial<CallbackLeg> = {}): CallbackLeg {
  const role = key.split("#")[1] as "operator" | "visitor";
  return { leg: key, role, number: role === "operator" ? "+13035550190" : "+14155550132", call_id: `CA${key}`,
    status: "no-answer", started_at: 1000, answered_at: null, ring_seconds: 10, talk_seconds: null, error_code: null,
    ...fields };
}

// Missed once (the operator never answered), retried by hand, then connected in round 2.
const retried: CallbackRequest = {
  request_id: "cb_1", site_id: "s", phone: "+14155550132", session_id: null, created_at: 1000, status: "completed",
  scheduled_for: null, retry_at: null, recordings: ["RE1"], recording_links: ["https://s3/RE1"],
  attribution: { method: "session", source: "google", medium: "cpc", campaign: "winter", page: "https://shop.example/pricing?x=1" },
  outcome: { result: "connected", rounds: 1, talk_seconds: 65 },
  rounds: [{ round: 1, leg_seq: 0, result: "operator_no_answer", at: 1300 }, { round: 2, leg_seq: 0, result: "connected", at: 5200 }],
  retries: [{ attempt: 1, at: 2000, by: "user:u-me", after: "missed", outcome: { result: "operator_no_answer" } }],
  legs: [
    leg("02#visitor#00", { status: "completed", started_at: 2300, answered_at: 2400, talk_seconds: 65 }),
    leg("01#operator#00", { started_at: 1100 }),
    leg("02#operator#00", { status: "completed", started_at: 2100, answered_at: 2200, ring_seconds: 1 }),
  ],
  transitions: [
    { status: "accepted", at: 1000, page: "https://shop.example/pricing" },
    { status: "calling_operator", at: 1100, round: 1 },
    { status: "missed", at: 1300, reason: "operator_no_answer" },
    { status: "accepted", at: 2000, reason: "manual_retry", by: "user:u-me", attempt: 1 },
    { status: "calling_operator", at: 2100, round: 2 },
    { status: "calling_visitor", at: 2200, round: 2 },
    { status: "connected", at: 2400, round: 2 },
    { status: "completed", at: 5200, reason: "connected" },
  ],
};

describe("a callback's rounds and legs", () => {
  it("puts each leg in its round, operators first, and names who answered", () => {
    const rounds = roundsOf(retried);
    expect(rounds.map((r) => [r.round, r.result, r.legs.map((l) => l.role)])).toEqual([
      [1, "operator_no_answer", ["operator"]], [2, "connected", ["operator", "visitor"]]]);
    expect(rounds[0].answeredBy).toBeNull();
    expect(rounds[1].answeredBy?.number).toBe("+13035550190");
  });

  it("shows a round being rung before it has a result", () => {
    const ringing = { ...retried, rounds: [], legs: [leg("03#operator#00", { status: "ringing" })] };
    expect(roundsOf(ringing)).toMatchObject([{ round: 3, result: null }]);
  });

  it("can be retried only once it was missed or failed", () => {
    expect(retryable({ ...retried, status: "missed" })).toBe(true);
    expect(retryable({ ...retried, status: "failed" })).toBe(true);
    expect(retryable(retried)).toBe(false);
    expect(retryable({ ...retried, status: "calling_operator" })).toBe(false);
  });
});

describe("a callback's timeline in words", () => {
  const time = (ms: number) => `t${ms}`;
  const who = (by?: string) => actorText(by, "u-me", {}, en);

  it("tells every step, the manual retry and who picked up, in order", () => {
    const lines = timelineOf(retried).map((m) => momentText(m, en, time, who));
    expect(lines).toEqual([
      "The visitor asked to be called back on shop.example/pricing",
      "Round 1: ringing the operators",
      "Missed: no operator answered",
      "Retry 1 by hand, asked for by you",
      "Round 2: ringing the operators",
      "Operator +1 303-555-0190 answered",
      "Round 2: the operator heard the whisper; calling the visitor",
      "The visitor answered",
      "The visitor and the operator are talking",
      "Completed",
    ]);
  });

  it("names a teammate by e-mail and an API key as it is", () => {
    expect(actorText("user:u-2", "u-me", { "u-2": "ann@shop.example" }, en)).toBe("ann@shop.example");
    expect(actorText("key:k_1", "u-me", {}, en)).toBe("key:k_1");
  });

  it("says statuses and results in Russian, and an unknown code as it came", () => {
    expect(statusText("missed", ru)).toBe("Пропущен");
    expect(resultText("visitor_busy", ru)).toBe("у посетителя было занято");
    expect(statusText("on_hold", en)).toBe("on hold");
    expect(outcomeText(retried.outcome, en)).toBe("connected, talked 1:05");
  });

  it("shortens a page to its host and path", () => {
    expect(pageOf("https://shop.example/pricing?utm_source=google")).toBe("shop.example/pricing");
    expect(pageOf(null)).toBeNull();
  });
});
