// The calls area's enumerations, as the API names them and as the pages say them.
import type { Lead } from "../../api";
import type { TextKey, Translate } from "../../i18n";

export const CALL_STATUSES = ["ringing", "answered", "busy", "no-answer", "failed", "canceled", "voicemail", "abandoned"] as const;
export const LEAD_STATUSES: Lead["status"][] = ["new", "lead", "not_lead", "spam", "sale"];
// Statuses in which nobody spoke to the caller (a missed call).
export const MISSED = new Set(["busy", "no-answer", "failed", "canceled", "abandoned", "voicemail"]);

export function statusText(status: string, t: Translate): string {
  // The translator answers a key it has no text for with the key itself: a status the
  // API added after this page was built shows as the API names it.
  const key = `status_${status}` as TextKey;
  const text = t(key);
  return text === key ? status : text;
}

export function leadText(status: Lead["status"], t: Translate): string {
  return t(`lead_${status}` as TextKey);
}

export const LEAD_TONE: Record<Lead["status"], string> = { new: "", lead: "ok", sale: "ok", not_lead: "warn", spam: "danger" };
