import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { translator } from "../i18n";
import { AuthError } from "./cognito";
import { authErrorText } from "./pages";
import { signUpRefusal } from "./refusal";

const en = translator("en");
const ru = translator("ru");

// The check's own messages, read from its code, as Cognito passes them on.
const guard = readFileSync(new URL("../../../../functions/ringback/accounts/signup_guard.py", import.meta.url), "utf8");
const cognito = (message: string) => new AuthError("UserLambdaValidationException", `PreSignUp failed with error ${message}.`);

describe("a sign-up the pre-sign-up check refused", () => {
  it("tells a disposable address by the check's own message", () => {
    const said = /"(Sign-ups from disposable[^"]*)"\s*"([^"]*)"/.exec(guard)!;
    const refused = cognito(said[1] + said[2]);
    expect(signUpRefusal(refused.code, refused.message)).toEqual({ reason: "disposable" });
    expect(authErrorText(refused, en)).toBe(en("errSignUpDisposable"));
    expect(authErrorText(refused, ru)).toBe(ru("errSignUpDisposable"));
  });

  it("tells the sign-up rate, with the minutes to wait the check names", () => {
    expect(guard).toContain("Too many sign-ups right now; try again in {minutes} minute");
    const refused = cognito("Too many sign-ups right now; try again in 12 minutes");
    expect(signUpRefusal(refused.code, refused.message)).toEqual({ reason: "rate", minutes: 12 });
    expect(authErrorText(refused, en)).toBe("Too many accounts are being opened right now. Please try again in 12 min.");
    expect(authErrorText(cognito("Too many sign-ups right now"), en)).toBe(en("errSignUpRateSoon"));
  });

  it("tells an address that is none", () => {
    expect(guard).toContain('"Enter a valid e-mail address."');
    expect(authErrorText(cognito("Enter a valid e-mail address."), en)).toBe(en("errSignUpInvalidEmail"));
  });

  it("never shows Cognito's text, for a refusal it does not know either", () => {
    for (const error of [cognito("Something new the check says"), new AuthError("UnexpectedLambdaException",
      "PreSignUp invocation failed due to error Task timed out.")]) {
      const shown = authErrorText(error, en);
      expect(shown).not.toMatch(/PreSignUp|Lambda|Something new/);
    }
    expect(authErrorText(cognito("Something new the check says"), en)).toBe(en("errSignUpRefused"));
    expect(authErrorText(new AuthError("UnexpectedLambdaException", "x"), en)).toBe(en("errSignUpUnavailable"));
  });

  it("leaves Cognito's other errors to their own words", () => {
    expect(signUpRefusal("UsernameExistsException", "User already exists")).toBeNull();
    expect(authErrorText(new AuthError("UsernameExistsException", "User already exists"), en)).toBe(en("errUserExists"));
  });
});
