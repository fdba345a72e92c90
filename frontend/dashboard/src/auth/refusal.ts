// Why the user pool's pre-sign-up check (functions/ringback/accounts/signup_guard.py)
// refused a sign-up. Cognito passes its refusal on as UserLambdaValidationException
// "PreSignUp failed with error <the check's message>.", and nothing else: the reason is
// told apart by that message, and the page shows its own words for it, never Cognito's.
// A check that could not run at all is UnexpectedLambdaException.

export type Refusal =
  | { reason: "disposable" }
  | { reason: "rate"; minutes: number | null }
  | { reason: "invalid_email" }
  | { reason: "refused" } // a refusal this page does not know the words of
  | { reason: "unavailable" }; // the check did not answer

export const REFUSED = "UserLambdaValidationException";
export const CHECK_FAILED = "UnexpectedLambdaException";

export function signUpRefusal(code: string, message: string): Refusal | null {
  if (code === CHECK_FAILED) return { reason: "unavailable" };
  if (code !== REFUSED && !/PreSignUp failed/i.test(message)) return null;
  if (/disposable/i.test(message)) return { reason: "disposable" };
  if (/too many sign-ups/i.test(message)) {
    const minutes = /(\d+)\s*minute/i.exec(message);
    return { reason: "rate", minutes: minutes ? Number(minutes[1]) : null };
  }
  if (/valid e-?mail/i.test(message)) return { reason: "invalid_email" };
  return { reason: "refused" };
}
