// How many numbers a pool needs, from the visitors a day the customer expects: the
// product's Erlang-B and accuracy model (GET /v1/pool-sizing), in words.
import { useEffect, useState } from "preact/hooks";
import { query } from "../../api";
import type { Language, Translate } from "../../i18n";
import { useSession } from "../../session";
import { locale } from "../../ui/format";
import { useResource } from "../../ui/resource";
import { Loaded } from "../../ui/states";
import type { SizingAdvice } from "./model";

const DEFAULT_VISITORS = 1000;

function percent(share: number, language: Language, t: Translate): string {
  if (share > 0 && share < 0.001) return t("onbUnderTenthPercent");
  return new Intl.NumberFormat(locale(language), { style: "percent", maximumFractionDigits: 1 }).format(share);
}

export function Sizing({ onAdvice }: { onAdvice: (size: number) => void }) {
  const { t, language } = useSession();
  const [typed, setTyped] = useState(String(DEFAULT_VISITORS));
  const [asked, setAsked] = useState(DEFAULT_VISITORS);
  const advice = useResource((api) => api.get<SizingAdvice>(`/v1/pool-sizing${query({ dailyVisitors: asked })}`), [asked]);
  const size = advice.state === "ready" ? advice.value.recommendedSize : null;
  useEffect(() => { if (size !== null) onAdvice(size); }, [size]);
  const number = (value: number, digits = 0) =>
    new Intl.NumberFormat(locale(language), { maximumFractionDigits: digits }).format(value);

  return (
    <div class="card onb-sizing">
      <h3>{t("onbSizingTitle")}</h3>
      <form class="onb-inline-form" onSubmit={(e) => { e.preventDefault(); setAsked(Math.round(Number(typed))); }}>
        <div class="field">
          <label for="onb-visitors">{t("onbVisitors")}</label>
          <input id="onb-visitors" type="number" min={1} max={1000000} step={1} required value={typed}
            onInput={(e) => setTyped((e.target as HTMLInputElement).value)} />
        </div>
        <button type="submit" class="secondary">{t("onbSizingAsk")}</button>
      </form>
      <Loaded resource={advice}>
        {(a) => (
          <div class="onb-advice" data-size={a.recommendedSize} aria-live="polite">
            <p class="onb-advice-size">{t("onbAdviceSize", { n: a.recommendedSize })}</p>
            <p>{t("onbAdviceWhy", {
              visits: number(a.arrivalsPerHour), minutes: number(a.meanHoldSeconds / 60, 1),
              inUse: number(a.offeredLoadErlangs, 1),
            })}</p>
            <p>{a.sizeForAccuracy === null
              ? t("onbAdviceNoAccuracy", { n: a.recommendedSize, target: percent(a.targetAccuracy, language, t) })
              : t("onbAdviceAccuracy", {
                n: a.recommendedSize, accuracy: percent(a.expectedAccuracy, language, t),
                blocking: percent(a.blockingProbability, language, t),
              })}</p>
            <p class="hint">{t("onbAdviceFewer")}</p>
          </div>
        )}
      </Loaded>
    </div>
  );
}
