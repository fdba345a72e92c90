// Webhook endpoints as the API gives them, the event types an endpoint may subscribe to,
// and what the delivery log says of their attempts.
import type { TextKey } from "../../../i18n";

export interface Webhook {
  webhookId: string;
  url: string;
  events: string[];
  enabled: boolean;
  createdAt: number;
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
