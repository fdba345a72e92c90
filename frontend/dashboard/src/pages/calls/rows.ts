// The log's rows: the newest page, read again every few seconds, above the older pages a
// reader asked for, read once. A call that arrives pushes the newest page's last call out
// of it; the older pages begin after that call, so they keep the newest page as it was
// when they were first asked for, and the rows are the two merged.
import type { Call } from "../../api";

// Newest first; a call in both is shown as the newest page has it (its status moves on).
export function mergeRows(newest: Call[], kept: Call[]): Call[] {
  const seen = new Set(newest.map((call) => call.call_id));
  return [...newest, ...kept.filter((call) => !seen.has(call.call_id))]
    .sort((a, b) => b.started_at - a.started_at);
}
