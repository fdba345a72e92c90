// An invitation's refusals in words. AdminCreateUser runs the user pool's pre-sign-up
// check too (functions/pool/signup_trigger.py): should it refuse, the reason is the one a
// sign-up meets (auth/refusal.ts), and a check or e-mail that failed is said so, never
// with Cognito's or the server's own text.
import { ApiError } from "../../../api";
import { signUpRefusal } from "../../../auth/refusal";
import type { TextKey } from "../../../i18n";

const REASONS: Record<string, TextKey> = {
  disposable: "admErrInviteDisposable",
  rate: "admErrInviteRate",
  invalid_email: "admErrInvalidEmail",
  refused: "admErrInviteRefused",
  unavailable: "admErrInviteFailed",
};

// The text for a refused invitation, or null to leave it to adminError.
export function inviteErrorKey(error: unknown): TextKey | null {
  if (!(error instanceof ApiError)) return null;
  const refusal = signUpRefusal(error.code, error.message);
  if (refusal) return REASONS[refusal.reason];
  if (error.code === "invitation_not_sent") return "admErrInvitationNotSent";
  if (error.status >= 500) return "admErrInviteFailed";
  return null;
}
