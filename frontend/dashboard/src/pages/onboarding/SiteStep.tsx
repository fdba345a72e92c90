// Step 1: the site — its name, where it runs, the number printed on it (which the snippet
// swaps for tracking numbers), where calls ring, its country and time zone.
import { useMemo, useState } from "preact/hooks";
import { useSession } from "../../session";
import { phone } from "../../ui/format";
import { Outcome } from "../../ui/states";
import { type Site, domainsOf } from "./model";

// The countries a new site usually starts in; the API takes any ISO code.
const COUNTRIES = ["US", "CA", "GB", "AU", "NZ", "IE", "DE", "FR", "ES", "IT", "NL", "SE", "PL", "RU", "KZ"];

// The browser's own region ("en-GB" -> GB), when it is one of the usual ones.
function localCountry(): string {
  const region = (navigator.language.split("-")[1] ?? "").toUpperCase();
  return COUNTRIES.includes(region) ? region : "US";
}

function localZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
}

function zones(): string[] {
  const here = localZone();
  const all = typeof Intl.supportedValuesOf === "function" ? Intl.supportedValuesOf("timeZone") : [];
  return [...new Set([here, "UTC", ...all])].sort();
}

export function SiteForm({ onCreated }: { onCreated: (site: Site) => void }) {
  const { api, t, language } = useSession();
  const zoneList = useMemo(zones, []);
  const here = localZone();
  const country = localCountry();
  const regionName = useMemo(() => {
    try {
      const names = new Intl.DisplayNames([language], { type: "region" });
      return (code: string) => names.of(code) ?? code;
    } catch {
      return (code: string) => code;
    }
  }, [language]);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  const submit = async (event: Event) => {
    event.preventDefault();
    const form = new FormData(event.target as HTMLFormElement);
    const own = String(form.get("own") ?? "").trim();
    const forward = String(form.get("forward") ?? "").trim() || own;
    setBusy(true);
    setError(null);
    try {
      const { body } = await api.send<Site>("POST", "/v1/sites", {
        name: String(form.get("name") ?? "").trim(),
        domains: domainsOf(String(form.get("domains") ?? "")),
        ownNumbers: [own],
        destinationNumbers: [forward],
        country: String(form.get("country")),
        timezone: String(form.get("timezone")),
      });
      onCreated(body);
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="card onb-form" onSubmit={submit}>
      <div class="field">
        <label for="onb-name">{t("onbSiteName")}</label>
        <input id="onb-name" name="name" required maxLength={200} autoComplete="organization" />
      </div>
      <div class="field">
        <label for="onb-domains">{t("onbDomains")}</label>
        <input id="onb-domains" name="domains" required aria-describedby="onb-domains-hint" placeholder="example.com"
          autoCapitalize="off" spellcheck={false} />
        <p class="hint" id="onb-domains-hint">{t("onbDomainsHint")}</p>
      </div>
      <div class="field">
        <label for="onb-own">{t("onbOwnNumber")}</label>
        <input id="onb-own" name="own" type="tel" required aria-describedby="onb-own-hint" autoComplete="tel" />
        <p class="hint" id="onb-own-hint">{t("onbOwnNumberHint")}</p>
      </div>
      <div class="field">
        <label for="onb-forward">{t("onbForward")}</label>
        <input id="onb-forward" name="forward" type="tel" aria-describedby="onb-forward-hint" />
        <p class="hint" id="onb-forward-hint">{t("onbForwardHint")}</p>
      </div>
      <div class="onb-row">
        <div class="field">
          <label for="onb-country">{t("onbCountry")}</label>
          <select id="onb-country" name="country">
            {COUNTRIES.map((code) => <option key={code} value={code} selected={code === country}>{regionName(code)}</option>)}
          </select>
        </div>
        <div class="field">
          <label for="onb-zone">{t("onbTimezone")}</label>
          <select id="onb-zone" name="timezone">
            {zoneList.map((zone) => <option key={zone} value={zone} selected={zone === here}>{zone.replace(/_/g, " ")}</option>)}
          </select>
        </div>
      </div>
      <Outcome error={error} />
      <button type="submit" disabled={busy}>{busy ? t("saving") : t("onbAddSite")}</button>
    </form>
  );
}

export function SiteSummary({ site, onNext }: { site: Site; onNext: () => void }) {
  const { t } = useSession();
  return (
    <div class="card">
      <dl class="facts">
        <dt>{t("onbSiteName")}</dt><dd>{site.name}</dd>
        <dt>{t("onbDomainsShort")}</dt><dd>{site.domains.join(", ")}</dd>
        <dt>{t("onbOwnNumberShort")}</dt><dd>{site.ownNumbers.map(phone).join(", ") || "–"}</dd>
        <dt>{t("onbForwardShort")}</dt><dd>{site.destinationNumbers.map(phone).join(", ") || "–"}</dd>
        <dt>{t("onbTimezone")}</dt><dd>{site.timezone.replace(/_/g, " ")}</dd>
      </dl>
      <p class="hint">{t("onbSiteChange")} <a href={`/app/settings/sites/${encodeURIComponent(site.siteId)}`}>{t("navSettings")}</a></p>
      <div class="onb-nav">
        <button type="button" onClick={onNext}>{t("onbNextSnippet")}</button>
        <a href="/app/start/site?new=1">{t("onbAnotherSite")}</a>
      </div>
    </div>
  );
}
