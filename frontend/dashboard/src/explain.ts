// A call's attribution in words: why the product named this visit, and how sure it is.
import type { Attribution } from "./api";
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
  const reasons = [...(best?.session_id === attribution.session_id ? best.reasons : [])]
    .sort((a, b) => ORDER.indexOf(a) - ORDER.indexOf(b))
    .map((reason) => REASONS[reason])
    .filter((key): key is TextKey => key !== undefined)
    .map((key) => t(key));
  const lines = [...reasons, t("certainty", { percent: percent(attribution.confidence ?? 0) })];
  if (attribution.runner_up) lines.push(t("runnerUp", { percent: percent(attribution.runner_up.probability) }));
  return lines;
}

function percent(probability: number): number {
  // 99.96% reads as 99.9, never as a certain 100.
  return Math.floor(probability * 1000) / 10;
}
