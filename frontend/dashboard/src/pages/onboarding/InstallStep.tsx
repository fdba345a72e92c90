// Step 3: is the snippet on the customer's page? The server fetches the page and answers
// each check; the wizard says in words what is wrong and how to fix it, and checks again.
import { useState } from "preact/hooks";
import type { TextKey } from "../../i18n";
import { useSession } from "../../session";
import { Outcome } from "../../ui/states";
import { CopyBox } from "./CopyBox";
import { type Check, type InstallResult, type Site, orderedChecks, pageUrl } from "./model";
import { useSnippet } from "./SnippetStep";

const URL_STORE = "ringback:install-url:";
const PASSED_STORE = "ringback:installed:";

// Whether a check passed in this tab: the API keeps no record of install checks.
export function installPassed(siteId: string): boolean {
  return sessionStorage.getItem(PASSED_STORE + siteId) !== null;
}

// The page last checked (else the site's first domain): the URL field starts with it,
// and the test call step links to it.
export function checkedUrl(site: Site): string {
  return localStorage.getItem(URL_STORE + site.siteId) ?? `https://${site.domains[0] ?? ""}/`;
}

const TITLES: Record<Check["check"], [TextKey, TextKey]> = {
  reachable: ["onbCheckReachableOk", "onbCheckReachableBad"],
  domain: ["onbCheckDomainOk", "onbCheckDomainBad"],
  snippet: ["onbCheckSnippetOk", "onbCheckSnippetBad"],
  site_key: ["onbCheckKeyOk", "onbCheckKeyBad"],
};

const NAMES: Record<Check["check"], TextKey> = {
  reachable: "onbCheckNameReachable",
  domain: "onbCheckNameDomain",
  snippet: "onbCheckNameSnippet",
  site_key: "onbCheckNameKey",
};

const FIXES: Record<Check["check"], TextKey> = {
  reachable: "onbFixReachable",
  domain: "onbFixDomain",
  snippet: "onbFixSnippet",
  site_key: "onbFixKey",
};

function skipped(check: Check): boolean {
  return !check.ok && check.message.startsWith("Not checked");
}

export function InstallStep({ site, onPassed, onSiteChanged, onNext }: {
  site: Site; onPassed: () => void; onSiteChanged: (site: Site) => void; onNext: () => void;
}) {
  const { api, t, can } = useSession();
  const [url, setUrl] = useState(() => checkedUrl(site));
  const [result, setResult] = useState<InstallResult | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  const check = async (address = url) => {
    const target = pageUrl(address);
    setBusy(true);
    setError(null);
    try {
      const { body } = await api.send<InstallResult>("POST", `/v1/sites/${encodeURIComponent(site.siteId)}/install-check`,
        { url: target });
      localStorage.setItem(URL_STORE + site.siteId, target);
      setResult(body);
      if (body.installed) {
        sessionStorage.setItem(PASSED_STORE + site.siteId, target);
        onPassed();
      }
    } catch (caught) {
      setResult(null);
      setError(caught);
    } finally {
      setBusy(false);
    }
  };

  const addDomain = async (host: string) => {
    setBusy(true);
    setError(null);
    try {
      const path = `/v1/sites/${encodeURIComponent(site.siteId)}`;
      const current = await api.request<Site>("GET", path);
      const { body } = await api.send<Site>("PATCH", path, { domains: [...current.body.domains, host] },
        { ifMatch: current.etag });
      onSiteChanged(body);
    } catch (caught) {
      setError(caught);
      setBusy(false);
      return;
    }
    await check();
  };

  const host = (() => {
    try { return new URL(pageUrl(url)).hostname.replace(/^www\./, ""); } catch { return ""; }
  })();
  const checks = result ? orderedChecks(result) : [];
  const needsSnippet = checks.some((c) => (c.check === "snippet" || c.check === "site_key") && !c.ok && !skipped(c));

  return (
    <div class="card">
      <form class="onb-check-form" onSubmit={(e) => { e.preventDefault(); check(); }}>
        <div class="field">
          <label for="onb-url">{t("onbPageUrl")}</label>
          <input id="onb-url" type="text" inputMode="url" required value={url} autoCapitalize="off" spellcheck={false}
            aria-describedby="onb-url-hint" onInput={(e) => setUrl((e.target as HTMLInputElement).value)} />
          <p class="hint" id="onb-url-hint">{t("onbPageUrlHint")}</p>
        </div>
        <button type="submit" disabled={busy}>{busy ? t("onbChecking") : result ? t("onbCheckAgain") : t("onbCheck")}</button>
      </form>
      <Outcome error={error} />
      <div aria-live="polite">
        {result && (
          <div class="onb-result" data-installed={String(result.installed)}>
            <p class={result.installed ? "onb-verdict ok" : "onb-verdict error"}>
              {result.installed ? t("onbInstalled") : t("onbNotInstalled")}
            </p>
            <ul class="onb-checks">
              {checks.map((c) => <CheckItem key={c.check} check={c} />)}
            </ul>
            {checks.some((c) => c.check === "domain" && !c.ok) && can("write") && host && (
              <p><button type="button" class="secondary" disabled={busy} onClick={() => addDomain(host)}>
                {t("onbAddDomain", { host })}
              </button></p>
            )}
            {needsSnippet && <SnippetAgain site={site} />}
          </div>
        )}
      </div>
      <div class="onb-nav">
        {result?.installed || installPassed(site.siteId)
          ? <button type="button" onClick={onNext}>{t("onbNextNumbers")}</button>
          : <button type="button" class="secondary" onClick={onNext}>{t("onbSkipCheck")}</button>}
      </div>
    </div>
  );
}

function CheckItem({ check }: { check: Check }) {
  const { t, language } = useSession();
  const state = check.ok ? "ok" : skipped(check) ? "skipped" : "bad";
  const [good, bad] = TITLES[check.check];
  return (
    <li class={`onb-check ${state}`} data-check={check.check} data-ok={String(check.ok)}>
      <span class="onb-mark" aria-hidden="true">{state === "ok" ? "✓" : state === "bad" ? "✕" : "–"}</span>
      <div>
        <strong>{state === "ok" ? t(good) : state === "bad" ? t(bad) : t("onbCheckSkipped", { what: t(NAMES[check.check]) })}</strong>
        <span class="visually-hidden">{state === "ok" ? t("onbCheckPassed") : state === "bad" ? t("onbCheckFailed") : ""}</span>
        {/* The server's own words name the very address, key or domain; they are English. */}
        {state !== "skipped" && <p class="onb-detail" lang={language === "en" ? undefined : "en"}>{check.message}</p>}
        {state === "bad" && <p class="onb-fix">{t(FIXES[check.check])}</p>}
      </div>
    </li>
  );
}

function SnippetAgain({ site }: { site: Site }) {
  const { t } = useSession();
  const snippet = useSnippet(site);
  if (snippet.state !== "ready") return null;
  return <CopyBox id="onb-snippet-again" label={t("onbSnippetLabel")} text={snippet.value.snippet} />;
}
