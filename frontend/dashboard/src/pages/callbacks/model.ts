// A callback request as the API gives it (ringback.callbacks.model CallbackRequest.as_json
// and the detail's legs and recording links), and how the pages read it: its rounds with
// their legs, and one timeline of what happened.

export interface CallbackLeg {
  leg: string; // "{round:02d}#{role}#{seq:02d}"
  role: "operator" | "visitor";
  number: string;
  call_id: string | null;
  status: string;
  started_at: number;
  answered_at: number | null;
  ring_seconds: number | null;
  talk_seconds: number | null;
  error_code: string | null;
}

export interface Transition {
  status: string;
  at: number;
  round?: number;
  reason?: string;
  at_time?: number;
  after?: string;
  by?: string;
  attempt?: number;
  page?: string;
}

export interface RoundResult {
  round: number;
  leg_seq: number;
  result: string;
  at: number;
}

export interface Retry {
  attempt: number;
  at: number;
  by: string;
  after: string;
  outcome: Record<string, unknown>;
}

export interface CallbackAttribution {
  method?: string;
  session_id?: string | null;
  source?: string | null;
  medium?: string | null;
  campaign?: string | null;
  keyword?: string | null;
  page?: string | null;
  landing_page?: string | null;
  region?: string | null;
}

export interface CallbackOutcome {
  result?: string;
  rounds?: number;
  talk_seconds?: number;
  round?: number;
  error?: string;
}

export interface CallbackRequest {
  request_id: string;
  site_id: string;
  phone: string;
  session_id: string | null;
  created_at: number;
  status: string;
  scheduled_for: number | null;
  retry_at: number | null;
  rounds: RoundResult[];
  transitions: Transition[];
  attribution: CallbackAttribution;
  outcome: CallbackOutcome;
  recordings: string[];
  retries?: Retry[];
  legs?: CallbackLeg[];
  recording_links?: string[];
  // What the operator heard before the visitor was put through, when the API gives it.
  whisper?: string | null;
}

export const FINAL = ["completed", "missed", "failed", "cancelled"];
export const RETRYABLE = ["missed", "failed"];

export function isFinal(status: string): boolean {
  return FINAL.includes(status);
}

export function retryable(request: CallbackRequest): boolean {
  return RETRYABLE.includes(request.status);
}

export type Tone = "ok" | "warn" | "danger" | "";

export function toneOf(status: string): Tone {
  if (status === "completed" || status === "connected") return "ok";
  if (status === "missed" || status === "failed") return "danger";
  if (status === "retry_scheduled" || status === "scheduled") return "warn";
  return "";
}

export function legRound(leg: CallbackLeg): number {
  return Number.parseInt(leg.leg.split("#", 1)[0], 10);
}

export interface Round {
  round: number;
  result: string | null; // null: still being rung
  endedAt: number | null;
  legs: CallbackLeg[];
  answeredBy: CallbackLeg | null; // the operator who took it
}

// The rounds in order, each with its legs (operators in the order rung, then the
// visitor); a round whose legs are placed but not yet reported has no result.
export function roundsOf(request: CallbackRequest): Round[] {
  const numbers = new Set<number>([...request.rounds.map((r) => r.round), ...(request.legs ?? []).map(legRound)]);
  return [...numbers].sort((a, b) => a - b).map((round) => {
    const legs = (request.legs ?? []).filter((leg) => legRound(leg) === round)
      .sort((a, b) => (a.role === b.role ? a.leg.localeCompare(b.leg) : a.role === "operator" ? -1 : 1));
    const result = request.rounds.find((r) => r.round === round) ?? null;
    return {
      round, legs, result: result?.result ?? null, endedAt: result?.at ?? null,
      answeredBy: legs.find((leg) => leg.role === "operator" && leg.answered_at !== null) ?? null,
    };
  });
}

export interface Moment {
  at: number;
  kind: "transition" | "answered";
  transition?: Transition;
  leg?: CallbackLeg;
}

// What happened, oldest first: every status the request went through, and each leg
// that was answered (who picked up, and when).
export function timelineOf(request: CallbackRequest): Moment[] {
  const moments: Moment[] = request.transitions.map((transition) => ({ at: transition.at, kind: "transition", transition }));
  for (const leg of request.legs ?? []) {
    if (leg.answered_at !== null) moments.push({ at: leg.answered_at, kind: "answered", leg });
  }
  // A pick-up causes the status change stamped with it, so it reads first.
  return moments.sort((a, b) => a.at - b.at || (a.kind === b.kind ? 0 : a.kind === "answered" ? -1 : 1));
}

// "https://www.example.com/pricing?utm_source=x" -> "www.example.com/pricing".
export function pageOf(url: string | null | undefined): string | null {
  if (!url) return null;
  try {
    const parsed = new URL(url);
    return parsed.host + (parsed.pathname === "/" ? "/" : parsed.pathname);
  } catch {
    return url;
  }
}

export function sourceOf(attribution: CallbackAttribution): string | null {
  const parts = [attribution.source, attribution.medium, attribution.campaign].filter(Boolean);
  return parts.length ? parts.join(" / ") : null;
}

// The page a request was made on: the attribution's, else the first transition's.
export function requestPage(request: CallbackRequest): string | null {
  return request.attribution.page ?? request.attribution.landing_page ?? request.transitions[0]?.page ?? null;
}

// A key for POST .../retry: the same key for a repeat of one press, so a retry that timed
// out and is pressed again dials once.
export function idempotencyKey(): string {
  if (typeof crypto !== "undefined" && typeof crypto.randomUUID === "function") return `dash-${crypto.randomUUID()}`;
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return `dash-${[...bytes].map((b) => b.toString(16).padStart(2, "0")).join("")}`;
}
