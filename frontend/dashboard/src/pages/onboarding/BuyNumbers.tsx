// Choosing and buying numbers: a pool (a number of its own for each visitor the rule
// matches) or one static number for a channel, searched in the carrier's stock first.
import { useEffect, useState } from "preact/hooks";
import { query } from "../../api";
import { useSession } from "../../session";
import { phone } from "../../ui/format";
import { Outcome } from "../../ui/states";
import { type AvailableNumber, type Site, batches, ruleOf } from "./model";

type Kind = "pool" | "static";
type Audience = "all" | "source";

// onBought: everything asked for was bought (what, in words); onChanged: the site's
// numbers may have changed (a pool created, then a batch refused).
export function BuyNumbers({ site, suggested, onBought, onChanged }: {
  site: Site; suggested: number | null; onBought: (what: string) => void; onChanged: () => void;
}) {
  const { api, t } = useSession();
  const [kind, setKind] = useState<Kind>("pool");
  const [audience, setAudience] = useState<Audience>("all");
  const [source, setSource] = useState("");
  const [areaCode, setAreaCode] = useState("");
  const [numberKind, setNumberKind] = useState<"local" | "toll_free">("local");
  const [count, setCount] = useState(suggested ?? 5);
  const [found, setFound] = useState<AvailableNumber[] | null>(null);
  const [chosen, setChosen] = useState<string | null>(null);
  const [busy, setBusy] = useState<"search" | "buy" | null>(null);
  const [error, setError] = useState<unknown>(null);

  useEffect(() => { if (suggested) setCount(suggested); }, [suggested]);

  const rule = ruleOf(audience, source);
  const name = audience === "source" && source.trim() ? t("onbPoolNameSource", { source: source.trim().toLowerCase() }) : t("onbPoolNameAll");
  const wanted = (n: number) => ({ count: n, kind: numberKind, ...(areaCode ? { areaCode } : {}) });

  const search = async () => {
    setBusy("search");
    setError(null);
    setChosen(null);
    try {
      const { numbers } = await api.get<{ numbers: AvailableNumber[] }>(`/v1/numbers/available${query({
        country: site.country, kind: numberKind, areaCode: areaCode || null, limit: 20,
      })}`);
      setFound(numbers);
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(null);
    }
  };

  const buy = async (event: Event) => {
    event.preventDefault();
    setBusy("buy");
    setError(null);
    const siteId = encodeURIComponent(site.siteId);
    try {
      if (kind === "static") {
        if (!chosen) throw new Error(t("onbPickNumber"));
        await api.send("POST", `/v1/sites/${siteId}/numbers`, { number: chosen, channel: rule });
        onBought(t("onbBoughtStatic", { number: phone(chosen) }));
      } else {
        const [first, ...rest] = batches(count);
        const created = await api.send<{ poolId: string; size: number }>("POST", `/v1/sites/${siteId}/pools`,
          { name, rule, numbers: wanted(first) });
        let etag = created.etag;
        let size = created.body.size;
        for (const n of rest) {
          const grown = await api.send<{ size: number }>("POST",
            `/v1/pools/${encodeURIComponent(created.body.poolId)}/numbers`, wanted(n), { ifMatch: etag });
          etag = grown.etag;
          size = grown.body.size;
        }
        onBought(t("onbBoughtPool", { n: size, name }));
      }
    } catch (caught) {
      setError(caught);
      onChanged();
    } finally {
      setBusy(null);
    }
  };

  return (
    <form class="card onb-buy" onSubmit={buy}>
      <h3>{t("onbBuyTitle")}</h3>
      <fieldset>
        <legend>{t("onbWhatToBuy")}</legend>
        <label class="onb-choice">
          <input type="radio" name="onb-kind" value="pool" checked={kind === "pool"} onChange={() => { setKind("pool"); }} />
          <span><strong>{t("onbKindPool")}</strong><span class="hint">{t("onbKindPoolHint")}</span></span>
        </label>
        <label class="onb-choice">
          <input type="radio" name="onb-kind" value="static" checked={kind === "static"} onChange={() => { setKind("static"); }} />
          <span><strong>{t("onbKindStatic")}</strong><span class="hint">{t("onbKindStaticHint")}</span></span>
        </label>
      </fieldset>
      <fieldset>
        <legend>{t("onbAudience")}</legend>
        <label class="onb-choice">
          <input type="radio" name="onb-audience" value="all" checked={audience === "all"} onChange={() => setAudience("all")} />
          <span>{t("onbAudienceAll")}</span>
        </label>
        <label class="onb-choice">
          <input type="radio" name="onb-audience" value="source" checked={audience === "source"} onChange={() => setAudience("source")} />
          <span>{t("onbAudienceSource")}</span>
        </label>
        {audience === "source" && (
          <div class="field onb-indent">
            <label for="onb-source">{t("onbSource")}</label>
            <input id="onb-source" required value={source} placeholder="google" autoCapitalize="off" aria-describedby="onb-source-hint"
              onInput={(e) => setSource((e.target as HTMLInputElement).value)} />
            <p class="hint" id="onb-source-hint">{t("onbSourceHint")}</p>
          </div>
        )}
      </fieldset>
      <div class="onb-row">
        <div class="field">
          <label for="onb-area">{t("onbAreaCode")}</label>
          <input id="onb-area" inputMode="numeric" pattern="[0-9]{3}" maxLength={3} value={areaCode} aria-describedby="onb-area-hint"
            onInput={(e) => setAreaCode((e.target as HTMLInputElement).value.replace(/\D/g, ""))} />
          <p class="hint" id="onb-area-hint">{t("onbAreaCodeHint")}</p>
        </div>
        <div class="field">
          <label for="onb-number-kind">{t("onbNumberKind")}</label>
          <select id="onb-number-kind" value={numberKind}
            onChange={(e) => setNumberKind((e.target as HTMLSelectElement).value as "local" | "toll_free")}>
            <option value="local">{t("onbLocal")}</option>
            <option value="toll_free">{t("onbTollFree")}</option>
          </select>
        </div>
        <div class="field onb-row-button">
          <button type="button" class="secondary" disabled={busy !== null} onClick={search}>
            {busy === "search" ? t("onbSearching") : t("onbSearch")}
          </button>
        </div>
      </div>
      {found && <Found found={found} kind={kind} chosen={chosen} onChoose={setChosen} />}
      {kind === "pool" && (
        <div class="onb-row">
          <div class="field">
            <label for="onb-count">{t("onbCount")}</label>
            <input id="onb-count" type="number" min={1} max={200} step={1} required value={count}
              onInput={(e) => setCount(Math.max(1, Math.round(Number((e.target as HTMLInputElement).value) || 1)))} />
          </div>
        </div>
      )}
      <Outcome error={error} />
      <button type="submit" disabled={busy !== null || (kind === "static" && !chosen)}>
        {busy === "buy" ? t("onbBuying")
          : kind === "pool" ? t("onbBuyPool", { n: count })
          : chosen ? t("onbBuyStatic", { number: phone(chosen) }) : t("onbPickNumber")}
      </button>
    </form>
  );
}

function Found({ found, kind, chosen, onChoose }: {
  found: AvailableNumber[]; kind: Kind; chosen: string | null; onChoose: (number: string) => void;
}) {
  const { t } = useSession();
  const where = (n: AvailableNumber) => [n.locality, n.region].filter(Boolean).join(", ");
  if (found.length === 0) return <p class="error" role="status">{t("onbNoneFound")}</p>;
  if (kind === "pool") {
    return (
      <p class="onb-found" role="status">
        {t(found.length >= 20 ? "onbFoundMany" : "onbFoundSome", { n: found.length })}{" "}
        {found.slice(0, 4).map((n) => phone(n.number)).join(", ")}{found.length > 4 ? "…" : ""}
      </p>
    );
  }
  return (
    <fieldset class="onb-found-list">
      <legend>{t("onbChooseNumber")}</legend>
      {found.map((n) => (
        <label class="onb-choice" key={n.number}>
          <input type="radio" name="onb-number" value={n.number} checked={chosen === n.number} onChange={() => onChoose(n.number)} />
          <span><strong>{phone(n.number)}</strong>{where(n) && <span class="hint">{where(n)}</span>}</span>
        </label>
      ))}
    </fieldset>
  );
}
