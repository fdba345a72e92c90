// How long the account's call recordings are kept (GET/PATCH /v1/account
// recordingRetentionDays; calls/retention.py RECORDING_RETENTION_DAYS): one of the
// recordings bucket's lifecycle classes, 90 days unless chosen.
import type { TextKey } from "../../../i18n";

export const RETENTION_CHOICES: readonly { days: number; label: TextKey }[] = [
  { days: 30, label: "prvRetention30" },
  { days: 90, label: "prvRetention90" },
  { days: 180, label: "prvRetention180" },
  { days: 365, label: "prvRetention365" },
  { days: 730, label: "prvRetention730" },
];
export const DEFAULT_RECORDING_RETENTION_DAYS = 90;

// The account's period; an account read from an API without the field keeps the default.
export function retentionOf(account: { recordingRetentionDays?: number | null }): number {
  return account.recordingRetentionDays ?? DEFAULT_RECORDING_RETENTION_DAYS;
}

// A period in words: a choice's label, or "{days} days" for one this page does not offer.
export function retentionLabel(days: number): { key: TextKey; values?: Record<string, number> } {
  const choice = RETENTION_CHOICES.find((c) => c.days === days);
  return choice ? { key: choice.label } : { key: "prvRetentionDays", values: { days } };
}
