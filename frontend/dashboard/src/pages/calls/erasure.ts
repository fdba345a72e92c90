// A caller's data erased on their request (DELETE /v1/callers/{number}, calls/erasure.py):
// the answer, the refusals in words, and the number as the API takes it.
import { ApiError } from "../../api";
import type { TextKey, Translate } from "../../i18n";
import { errorText } from "../../ui/states";

export interface Erasure {
  erasureId: string;
  tenantId: string;
  caller: string; // masked: "+1•••••••11"
  at: number;
  erased: {
    calls: number;
    recordings: number;
    callbackRequests: number;
    callbackLegs: number;
    messages: number;
    reportRows: number;
  };
}

// What the answer counts, in the order shown.
export const ERASED: readonly { field: keyof Erasure["erased"]; label: TextKey }[] = [
  { field: "calls", label: "erasedCalls" },
  { field: "recordings", label: "erasedRecordings" },
  { field: "callbackRequests", label: "erasedRequests" },
  { field: "callbackLegs", label: "erasedLegs" },
  { field: "messages", label: "erasedMessages" },
  { field: "reportRows", label: "erasedRows" },
];

export function erasePath(number: string): string {
  return `/v1/callers/${encodeURIComponent(number)}`;
}

// A number as typed ("+1 (415) 555-0100", "+7 495 123-45-67") in E.164, or null when it is
// not one: the API refuses anything else (400 invalid_number), so the form says so first.
export function e164(typed: string): string | null {
  const compact = typed.trim().replace(/^00/, "+").replace(/[\s().\-\u00a0]/g, "");
  return /^\+[1-9]\d{6,14}$/.test(compact) ? compact : null;
}

const CODES: Record<string, TextKey> = {
  unknown_caller: "eraseErrUnknown",
  invalid_number: "eraseErrInvalid",
  invalid_phone: "eraseErrInvalid",
  erasure_not_configured: "eraseErrUnavailable",
};

export function erasureError(error: unknown, t: Translate): string {
  if (error instanceof ApiError) {
    const key = CODES[error.code];
    if (key) return t(key);
    if (error.status === 403) return t("eraseErrForbidden");
    if (error.status >= 500) return t("eraseErrUnavailable");
  }
  return errorText(error, t);
}
