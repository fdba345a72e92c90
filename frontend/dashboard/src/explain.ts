// A call's attribution in words: why the product named this visit, and how sure it is.
import type { Attribution, Candidate } from "./api";
import type { TextKey, Translate } from "./i18n";

const REASONS: Record<string, TextKey> = {
  code: "code",
  tapped: "tapped",
  held: "held",
  shown: "shown",
  same_region: "sameRegion",
  other_region: "otherRegion",
  called_before: "calledBefore",
  shared: "shared",
};

// The strongest evidence first: a code or a tap says more than having seen the number.
const ORDER = ["code", "tapped", "called_before", "held", "shown", "same_region", "other_region", "shared"];

export function sourceOf(attribution: Attribution, t: Translate): string {
  if (!attribution.source) return t("unattributed");
  return [attribution.source, attribution.medium, attribution.campaign].filter(Boolean).join(" / ");
}

export function explain(attribution: Attribution, t: Translate): string[] {
  const [best] = attribution.candidates ?? [];
  if (!attribution.session_id) {
    return best ? [t("unattributed"), t("certainty", { percent: percent(best.probability) })] : [t("nobody")];
  }
  const named = best?.session_id === attribution.session_id ? best : undefined;
  const reasons = [...(named?.reasons ?? [])]
    .sort((a, b) => ORDER.indexOf(a) - ORDER.indexOf(b))
    .map((reason) => sayReason(reason, named, t))
    .filter((line): line is string => line !== null);
  const lines = [...reasons, t("certainty", { percent: percent(attribution.confidence ?? 0) })];
  if (attribution.runner_up) lines.push(t("runnerUp", { percent: percent(attribution.runner_up.probability) }));
  return lines;
}

// A reason with its figure when the API gives one: "tapped the number 8 s before calling".
function sayReason(reason: string, candidate: Candidate | undefined, t: Translate): string | null {
  if (reason === "tapped" && candidate?.tapped_seconds_before != null) {
    return t("tappedAgo", { ago: ago(candidate.tapped_seconds_before, t) });
  }
  if (reason === "shown" && candidate?.active_seconds_before != null) {
    return t("shownAgo", { ago: ago(candidate.active_seconds_before, t) });
  }
  const key = REASONS[reason];
  return key === undefined ? null : t(key);
}

export function ago(seconds: number, t: Translate): string {
  if (seconds < 90) return t("agoSeconds", { n: Math.max(0, Math.round(seconds)) });
  if (seconds < 90 * 60) return t("agoMinutes", { n: Math.round(seconds / 60) });
  if (seconds < 36 * 3600) return t("agoHours", { n: Math.round(seconds / 3600) });
  return t("agoDays", { n: Math.round(seconds / 86400) });
}

function percent(probability: number): number {
  // 99.96% reads as 99.9, never as a certain 100.
  return Math.floor(probability * 1000) / 10;
}
