// Webhook endpoints as the API gives them, the event types an endpoint may subscribe to,
// and what the delivery log says of their attempts.
import type { TextKey } from "../../../i18n";

export interface Webhook {
  webhookId: string;
  url: string;
  events: string[];
  enabled: boolean;
  createdAt: number;
  // How deliveries are signed; an endpoint read from an older API has none (its first format).
  signatureScheme?: string;
  // While a rotation overlaps: until when the previous secret signs beside the new one.
  previousSecretExpiresAt: number | null;
}

export interface WebhookTest {
  delivered: boolean;
  status: number | null;
  eventId: string;
  error?: string;
}

export const ALL_EVENTS = "*";

// The API publishes its event types only in its contract (WebhookEvents in
// docs/openapi.yaml, ringback.calls.events.EVENT_TYPES); webhooks.test.ts fails when
// this list and those drift apart. Each has a line saying when it is sent.
export const EVENT_TYPES: readonly { type: string; text: TextKey }[] = [
  { type: "call.ringing", text: "admEventRinging" },
  { type: "call.answered", text: "admEventAnswered" },
  { type: "call.missed", text: "admEventMissed" },
  { type: "call.recording", text: "admEventRecording" },
  { type: "call.voicemail", text: "admEventVoicemail" },
  { type: "call.updated", text: "admEventUpdated" },
  { type: "callback.completed", text: "admEventCallbackCompleted" },
  { type: "callback.missed", text: "admEventCallbackMissed" },
];

// What a form sends: every type (["*"], which includes types added later) or those chosen.
export function eventsToSend(all: boolean, chosen: readonly string[]): string[] {
  return all ? [ALL_EVENTS] : EVENT_TYPES.map((e) => e.type).filter((type) => chosen.includes(type))
    .concat(chosen.filter((type) => type !== ALL_EVENTS && !EVENT_TYPES.some((e) => e.type === type)));
}

// One attempt to deliver an event (or a test) to an endpoint, as the delivery log keeps it.
export interface Delivery {
  deliveryId: string;
  eventId: string;
  eventType: string;
  attempt: number;
  at: number;
  outcome: "delivered" | "failed" | "refused" | "timed_out";
  httpStatus: number | null;
  durationMs: number | null;
  error: string | null;
}

export function outcomeKey(outcome: Delivery["outcome"]): TextKey {
  if (outcome === "delivered") return "admDelivered";
  if (outcome === "refused") return "admDeliveryRefused";
  if (outcome === "timed_out") return "admDeliveryTimedOut";
  return "admNotDelivered";
}

// How deliveries are signed (WebhookSignatureScheme in docs/openapi.yaml, calls/events.py
// SCHEMES): Standard Webhooks for new endpoints, or the format that came first.
export const STANDARD_WEBHOOKS = "standard-webhooks";
export const RINGBACK_V1 = "ringback-v1";
export const SCHEMES: readonly { scheme: string; name: TextKey; hint: TextKey }[] = [
  { scheme: STANDARD_WEBHOOKS, name: "admWebhookSchemeStandard", hint: "admWebhookSchemeStandardHint" },
  { scheme: RINGBACK_V1, name: "admWebhookSchemeRingback", hint: "admWebhookSchemeRingbackHint" },
];

// The headers a receiver reads to verify a delivery in each scheme, as
// calls/events.py signed_headers sets them (webhooks.test.ts reads that code).
export const SCHEME_HEADERS: Record<string, readonly { header: string; text: TextKey }[]> = {
  [STANDARD_WEBHOOKS]: [
    { header: "webhook-id", text: "admWebhookHeaderId" },
    { header: "webhook-timestamp", text: "admWebhookHeaderTimestamp" },
    { header: "webhook-signature", text: "admWebhookHeaderSignature" },
  ],
  [RINGBACK_V1]: [
    { header: "Ringback-Event-Id", text: "admWebhookHeaderRbId" },
    { header: "Ringback-Signature", text: "admWebhookHeaderRbSignature" },
  ],
};

// The endpoint's scheme; one stored before the choice, and read without it, keeps the first.
export function schemeOf(hook: Pick<Webhook, "signatureScheme">): string {
  return hook.signatureScheme ?? RINGBACK_V1;
}

export function schemeName(scheme: string): TextKey | null {
  return SCHEMES.find((s) => s.scheme === scheme)?.name ?? null;
}

// Whether the previous secret still signs beside the new one at `now` (two secrets valid).
export function overlapping(hook: Pick<Webhook, "previousSecretExpiresAt">, now: number): boolean {
  return hook.previousSecretExpiresAt !== null && hook.previousSecretExpiresAt > now;
}

// What a change sends: only the fields that differ from the endpoint as read, so an edit of
// its URL never re-sends (and re-checks) a signature scheme nobody touched.
export function changedFields<T extends object>(before: Partial<T>, after: T): Partial<T> {
  const changed: Partial<T> = {};
  for (const key of Object.keys(after) as (keyof T)[]) {
    if (JSON.stringify(before[key]) !== JSON.stringify(after[key])) changed[key] = after[key];
  }
  return changed;
}
