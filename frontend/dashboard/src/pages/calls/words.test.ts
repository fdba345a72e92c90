import { describe, expect, it } from "vitest";
import { translator } from "../../i18n";
import { statusText } from "./words";

describe("a call's status in the reader's words", () => {
  it("is translated when the dashboard knows it", () => {
    expect(statusText("no-answer", translator("en"))).toBe("no answer");
    expect(statusText("busy", translator("ru"))).not.toBe("busy");
  });

  it("shows a status the API added later as the API names it, never as a text key", () => {
    expect(statusText("screened", translator("en"))).toBe("screened");
    expect(statusText("screened", translator("ru"))).toBe("screened");
  });
});
