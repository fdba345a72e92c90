// Buying a static tracking number: search the carrier's inventory (country, kind, area
// code, digits it contains), pick one, say which visits it is for, buy it.
import { useState } from "preact/hooks";
import { query } from "../../../api";
import { useSession } from "../../../session";
import { phone } from "../../../ui/format";
import { Outcome } from "../../../ui/states";
import { Field, useSaver, value } from "./kit";
import { type Site, ruleFields, ruleOf } from "./model";
import { RuleFields, type RuleForm } from "./RuleFields";

interface Available {
  number: string;
  locality: string | null;
  region: string | null;
  country: string;
  capabilities: { voice: boolean; sms: boolean };
}

export const KINDS = ["local", "toll_free", "mobile"] as const;

export default function BuyNumber({ site, onDone }: { site: Site; onDone: (bought: boolean) => void }) {
  const { t } = useSession();
  const [country, setCountry] = useState(site.country);
  const [kind, setKind] = useState<string>("local");
  const [areaCode, setAreaCode] = useState("");
  const [contains, setContains] = useState("");
  const [found, setFound] = useState<Available[] | null>(null);
  const [picked, setPicked] = useState<string | null>(null);
  const [rule, setRule] = useState<RuleForm>(ruleFields({}));
  const searcher = useSaver();
  const buyer = useSaver();
  const search = (event: Event) => {
    event.preventDefault();
    setPicked(null);
    searcher.run(async (api) => {
      const answer = await api.get<{ numbers: Available[] }>(`/v1/numbers/available${query({
        country: country.trim().toUpperCase(), kind, areaCode: areaCode.trim(), contains: contains.trim(), limit: 20 })}`);
      setFound(answer.numbers);
    });
  };
  const buy = async (event: Event) => {
    event.preventDefault();
    if (!picked) return;
    const ok = await buyer.run((api) => api.send("POST", `/v1/sites/${encodeURIComponent(site.siteId)}/numbers`,
      { number: picked, channel: ruleOf(rule) }));
    if (ok) onDone(true);
  };
  return (
    <div class="card buy" role="region" aria-labelledby="buy-title">
      <h4 id="buy-title">{t("setBuyTitle")}</h4>
      <form class="filters" onSubmit={search} aria-label={t("setSearchNumbers")}>
        <Field id="buy-country" label={t("setCountry")}>
          <input id="buy-country" class="short" required pattern="[A-Za-z]{2}" maxLength={2} value={country} onInput={(e) => setCountry(value(e))} />
        </Field>
        <Field id="buy-kind" label={t("setKind")}>
          <select id="buy-kind" value={kind} onChange={(e) => setKind(value(e))}>
            {KINDS.map((k) => <option key={k} value={k}>{t(`setNumberKind_${k}` as "setNumberKind_local")}</option>)}
          </select>
        </Field>
        <Field id="buy-area" label={t("setAreaCode")}>
          <input id="buy-area" class="short" inputMode="numeric" pattern="[0-9]{3}" maxLength={3} value={areaCode} onInput={(e) => setAreaCode(value(e))} />
        </Field>
        <Field id="buy-contains" label={t("setContains")}>
          <input id="buy-contains" class="short" maxLength={16} value={contains} onInput={(e) => setContains(value(e))} />
        </Field>
        <button type="submit" disabled={searcher.busy}>{searcher.busy ? t("setSearching") : t("setSearch")}</button>
      </form>
      <Outcome error={searcher.error} />
      {found && found.length === 0 && <p class="state empty" role="status">{t("setNothingFound")}</p>}
      {found && found.length > 0 && (
        <form onSubmit={buy}>
          <fieldset class="available">
            <legend>{t("setPickNumber")}</legend>
            <ul class="choices">
              {found.map((n) => (
                <li key={n.number}>
                  <label class="inline choice">
                    <input type="radio" name="buy-number" value={n.number} checked={picked === n.number} onChange={() => setPicked(n.number)} />
                    <strong>{phone(n.number)}</strong>
                    <span class="muted">{[n.locality, n.region, n.country].filter(Boolean).join(", ")}</span>
                    {n.capabilities.sms && <span class="tag ok">{t("setSms")}</span>}
                  </label>
                </li>
              ))}
            </ul>
          </fieldset>
          <p class="hint">{t("setNoPrice")}</p>
          <RuleFields id="buy-rule" form={rule} onChange={setRule} />
          <div class="save-bar">
            <button type="submit" disabled={!picked || buyer.busy}>
              {buyer.busy ? t("setBuying") : picked ? t("setBuyThis", { number: phone(picked) }) : t("setPickFirst")}
            </button>
            <button type="button" class="secondary" onClick={() => onDone(false)}>{t("cancel")}</button>
            <Outcome error={buyer.error} />
          </div>
        </form>
      )}
      {!found && <div class="save-bar"><button type="button" class="secondary" onClick={() => onDone(false)}>{t("cancel")}</button></div>}
    </div>
  );
}
