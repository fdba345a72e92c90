// A channel rule as a visitor's traffic is described: UTM tags, where they came from,
// the page they landed on, their region, an ad click. Every condition filled must hold; a
// condition holds when the visit has any of its values (ringback/tracking/rules.py).
import type { Translate } from "../../../i18n";
import { useSession } from "../../../session";
import { CONDITIONS, type Condition, type Rule, matchesAll } from "./model";

export type RuleForm = Record<Condition | "priority", string>;

const HINTS: Partial<Record<Condition, string>> = {
  referrer_domain: "setCondHint_referrer_domain",
  landing_page: "setCondHint_landing_page",
  region: "setCondHint_region",
  click_id: "setCondHint_click_id",
};

export function RuleFields({ id, form, onChange }: { id: string; form: RuleForm; onChange: (form: RuleForm) => void }) {
  const { t } = useSession();
  return (
    <fieldset class="rule-fields">
      <legend>{t("setRule")}</legend>
      <p class="hint">{t("setRuleHint")}</p>
      <div class="rule-grid">
        {CONDITIONS.map((c) => (
          <div class="field" key={c}>
            <label for={`${id}-${c}`}>{t(`setCond_${c}` as "setCond_utm_source")}</label>
            <input id={`${id}-${c}`} value={form[c]} aria-describedby={HINTS[c] ? `${id}-${c}-hint` : undefined}
              onInput={(e) => onChange({ ...form, [c]: (e.currentTarget as HTMLInputElement).value })} />
            {HINTS[c] && <p class="hint" id={`${id}-${c}-hint`}>{t(HINTS[c] as "setCondHint_region")}</p>}
          </div>
        ))}
        <div class="field">
          <label for={`${id}-priority`}>{t("setPriority")}</label>
          <input id={`${id}-priority`} type="number" min={0} max={1000} class="short" value={form.priority}
            aria-describedby={`${id}-priority-hint`}
            onInput={(e) => onChange({ ...form, priority: (e.currentTarget as HTMLInputElement).value })} />
          <p class="hint" id={`${id}-priority-hint`}>{t("setPriorityHint")}</p>
        </div>
      </div>
    </fieldset>
  );
}

// "Medium: cpc, ppc · Referrer: yelp.com", or that it matches every visit.
export function ruleSummary(rule: Rule | undefined, t: Translate): string {
  if (matchesAll(rule)) return t("setRuleEvery");
  return Object.entries(rule ?? {})
    .filter(([k]) => k !== "priority")
    .map(([k, v]) => `${t(`setCond_${k}` as "setCond_utm_source")}: ${(v as string[]).join(", ")}`)
    .join(" · ");
}
