// Step 4: how many numbers, and buying them; the site's numbers so far below.
import { useEffect, useRef, useState } from "preact/hooks";
import { useSession } from "../../session";
import { phone } from "../../ui/format";
import { BuyNumbers } from "./BuyNumbers";
import type { Site, TrackingNumber } from "./model";
import { Sizing } from "./Sizing";

export function ruleText(channel: Record<string, unknown>, t: ReturnType<typeof useSession>["t"]): string {
  const conditions = Object.entries(channel).filter(([key]) => key !== "priority");
  if (conditions.length === 0) return t("onbAudienceAll");
  return conditions.map(([key, values]) => `${key} = ${([] as unknown[]).concat(values).join(", ")}`).join("; ");
}

export function SiteNumbers({ numbers }: { numbers: TrackingNumber[] }) {
  const { t } = useSession();
  if (numbers.length === 0) return <p class="hint">{t("onbNoNumbersYet")}</p>;
  return (
    <table class="stack onb-numbers">
      <caption class="visually-hidden">{t("onbYourNumbers")}</caption>
      <thead><tr><th scope="col">{t("onbNumber")}</th><th scope="col">{t("onbNumberUse")}</th><th scope="col">{t("onbShownTo")}</th></tr></thead>
      <tbody>
        {numbers.map((n) => (
          <tr key={n.number} data-number={n.number}>
            <td data-label={t("onbNumber")}>{phone(n.number)}</td>
            <td data-label={t("onbNumberUse")}>{n.kind === "pool" ? t("onbInPool", { name: n.poolName ?? "" }) : t("onbStatic")}</td>
            <td data-label={t("onbShownTo")}>{ruleText(n.channel ?? {}, t)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function NumbersStep({ site, numbers, onBought, onNext }: {
  site: Site; numbers: TrackingNumber[]; onBought: () => void; onNext: () => void;
}) {
  const { t, can } = useSession();
  const [suggested, setSuggested] = useState<number | null>(null);
  // The sizing and the purchase form are for buying; once there are numbers they fold
  // away behind "Buy more numbers", and what was bought is said where focus lands.
  const [buying, setBuying] = useState(numbers.length === 0);
  const [bought, setBought] = useState<string | null>(null);
  const said = useRef<HTMLParagraphElement>(null);
  useEffect(() => { if (bought) said.current?.focus(); }, [bought]);
  return (
    <>
      {buying && <Sizing onAdvice={setSuggested} />}
      {buying && (can("write")
        ? <BuyNumbers site={site} suggested={suggested} onChanged={onBought}
            onBought={(what) => { setBought(what); setBuying(false); onBought(); }} />
        : <p class="state empty">{t("onbReadOnly")}</p>)}
      <div class="card">
        <h3>{t("onbYourNumbers")}</h3>
        {bought && <p role="status" class="ok onb-bought" tabIndex={-1} ref={said}>{bought}</p>}
        <SiteNumbers numbers={numbers} />
        <div class="onb-nav">
          <button type="button" disabled={numbers.length === 0} onClick={onNext}>{t("onbNextCall")}</button>
          {!buying && can("write") && (
            <button type="button" class="secondary" onClick={() => { setBought(null); setBuying(true); }}>{t("onbBuyMore")}</button>
          )}
        </div>
      </div>
    </>
  );
}
