import { describe, expect, it } from "vitest";
import { ApiError } from "../../api";
import { translator } from "../../i18n";
import { ERASED, e164, erasePath, erasureError } from "./erasure";

const en = translator("en");

describe("a caller's number for an erasure", () => {
  it("is taken as typed, with spaces, dashes and brackets, in E.164", () => {
    expect(e164("+1 (415) 555-0100")).toBe("+14155550100");
    expect(e164(" +7 495 123-45-67 ")).toBe("+74951234567");
    expect(e164("0044 20 7946 0958")).toBe("+442079460958");
  });

  it("is refused before asking the API when it has no country code or is too short", () => {
    expect(e164("415 555 0100")).toBeNull();
    expect(e164("+12")).toBeNull();
    expect(e164("call me")).toBeNull();
  });

  it("is sent URL-encoded, as the API's path takes it", () => {
    expect(erasePath("+14155550100")).toBe("/v1/callers/%2B14155550100");
  });
});

describe("an erasure's outcome in words", () => {
  it("says what each refusal of the API means", () => {
    expect(erasureError(new ApiError(404, "unknown_caller", "this tenant holds nothing about that caller"), en))
      .toBe(en("eraseErrUnknown"));
    expect(erasureError(new ApiError(400, "invalid_number", "the caller must be"), en)).toBe(en("eraseErrInvalid"));
    expect(erasureError(new ApiError(403, "role_forbidden", "needs write"), en)).toBe(en("eraseErrForbidden"));
    expect(erasureError(new ApiError(503, "erasure_not_configured", "this stage cannot"), en)).toBe(en("eraseErrUnavailable"));
  });

  it("counts every kind of record the API answers with", () => {
    expect(ERASED.map((e) => e.field)).toEqual(["calls", "recordings", "callbackRequests", "callbackLegs", "messages", "reportRows"]);
  });
});
