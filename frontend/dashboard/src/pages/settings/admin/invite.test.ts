import { describe, expect, it } from "vitest";
import { ApiError } from "../../../api";
import { inviteErrorKey } from "./invite";

describe("an invitation refused", () => {
  it("by the pre-sign-up check is said in our words, per reason", () => {
    const refused = (message: string) => new ApiError(400, "invitation_refused", `PreSignUp failed with error ${message}.`);
    expect(inviteErrorKey(refused("Sign-ups from disposable e-mail addresses are not accepted"))).toBe("admErrInviteDisposable");
    expect(inviteErrorKey(refused("Too many sign-ups right now; try again in 3 minutes"))).toBe("admErrInviteRate");
    expect(inviteErrorKey(refused("Enter a valid e-mail address."))).toBe("admErrInvalidEmail");
    expect(inviteErrorKey(refused("anything else"))).toBe("admErrInviteRefused");
  });

  it("because the e-mail or the check failed says to try again, never the server's text", () => {
    expect(inviteErrorKey(new ApiError(503, "invitation_not_sent", "the invitation e-mail could not be sent now"))).toBe("admErrInvitationNotSent");
    expect(inviteErrorKey(new ApiError(500, "internal_error", "an internal error occurred"))).toBe("admErrInviteFailed");
  });

  it("for the API's other reasons is left to the admin pages' words", () => {
    expect(inviteErrorKey(new ApiError(409, "already_member", "that address is a member already"))).toBeNull();
  });
});
