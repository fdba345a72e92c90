// An audit entry's before and after as the fields that changed, and its action in words.
import type { TextKey } from "../../../i18n";

export interface AuditEntry {
  entryId: string;
  at: number;
  actor: string;
  action: string;
  target: string;
  before: unknown;
  after: unknown;
}

export interface Change {
  field: string;       // dotted path into the object; "" for a bare value
  before?: unknown;    // absent: the field was not there (created)
  after?: unknown;     // absent: the field went (removed)
}

function isPlain(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

// The leaves of a value: nested objects become dotted paths, arrays stay whole.
function leaves(value: unknown, prefix = ""): [string, unknown][] {
  if (!isPlain(value)) return [[prefix, value]];
  const entries = Object.entries(value);
  if (entries.length === 0) return prefix ? [[prefix, value]] : [];
  return entries.flatMap(([key, inner]) => leaves(inner, prefix ? `${prefix}.${key}` : key));
}

// What changed between before and after, field by field, in the order the after lists them.
export function changes(before: unknown, after: unknown): Change[] {
  const was = new Map(before === null || before === undefined ? [] : leaves(before));
  const now = new Map(after === null || after === undefined ? [] : leaves(after));
  const found: Change[] = [];
  // What was made or removed is listed by its fields that hold something.
  for (const [field, value] of now) {
    if (!was.has(field)) { if (value !== null) found.push({ field, after: value }); }
    else if (!same(was.get(field), value)) found.push({ field, before: was.get(field), after: value });
  }
  for (const [field, value] of was) {
    if (!now.has(field) && value !== null) found.push({ field, before: value });
  }
  return found;
}

export type Kind = "created" | "removed" | "changed";

export function kindOf(entry: Pick<AuditEntry, "before" | "after">): Kind {
  const none = (v: unknown) => v === null || v === undefined;
  if (none(entry.before) && !none(entry.after)) return "created";
  if (!none(entry.before) && none(entry.after)) return "removed";
  return "changed";
}

// A value as one short line: times as dates, lists joined, objects as compact JSON.
export function shown(field: string, value: unknown, formatTime: (ms: number) => string, yesNo: (v: boolean) => string): string {
  if (value === null || value === undefined) return "–";
  if (typeof value === "boolean") return yesNo(value);
  if (typeof value === "number" && /(At|Until|_at)$/.test(field) && value > 1e12) return formatTime(value);
  if (Array.isArray(value) && value.every((v) => typeof v !== "object" || v === null)) {
    return value.length ? value.map(String).join(", ") : "–";
  }
  if (typeof value === "object") {
    const text = JSON.stringify(value);
    return text.length > 120 ? `${text.slice(0, 119)}…` : text;
  }
  return String(value);
}

// Every action the API records (grep `audit.record` in functions/), in words.
export const ACTIONS: Record<string, TextKey> = {
  "account.updated": "admActAccountUpdated",
  "alert_contacts.updated": "admActAlertContactsUpdated",
  "api_key.created": "admActApiKeyCreated",
  "api_key.revoked": "admActApiKeyRevoked",
  "call.lead_changed": "admActLeadChanged",
  "call.note_added": "admActNoteAdded",
  "caller.erased": "admActCallerErased",
  "caller_id.verification_started": "admActCallerIdStarted",
  "caller_id.removed": "admActCallerIdRemoved",
  "client.opened": "admActClientOpened",
  "invitation.cancelled": "admActInvitationCancelled",
  "invitation.created": "admActInvitationCreated",
  "member.joined": "admActMemberJoined",
  "member.left": "admActMemberLeft",
  "member.removed": "admActMemberRemoved",
  "member.role_changed": "admActMemberRoleChanged",
  "number.bought": "admActNumberBought",
  "number.channel_updated": "admActNumberChannelUpdated",
  "number.released": "admActNumberReleased",
  "number.routing_updated": "admActNumberRoutingUpdated",
  "number.routing_cleared": "admActNumberRoutingCleared",
  "pool.created": "admActPoolCreated",
  "pool.deleted": "admActPoolDeleted",
  "pool.number_removed": "admActPoolNumberRemoved",
  "pool.numbers_added": "admActPoolNumbersAdded",
  "pool.numbers_released": "admActPoolNumbersReleased",
  "pool.updated": "admActPoolUpdated",
  "site.callbacks_updated": "admActSiteCallbacksUpdated",
  "site.created": "admActSiteCreated",
  "site.deleted": "admActSiteDeleted",
  "site.key_rotated": "admActSiteKeyRotated",
  "site.routing_updated": "admActSiteRoutingUpdated",
  "site.rule_order_updated": "admActSiteRuleOrderUpdated",
  "site.updated": "admActSiteUpdated",
  "site.widget_updated": "admActSiteWidgetUpdated",
  "tenant.opened": "admActTenantOpened",
  "webhook.created": "admActWebhookCreated",
  "webhook.deleted": "admActWebhookDeleted",
  "webhook.secret_rotated": "admActWebhookSecretRotated",
  "webhook.updated": "admActWebhookUpdated",
};
