// A site's name, where its snippet may run (the allowed domains), its own numbers (what a
// visitor sees when no rule matches), its country and time zone; the snippet to paste,
// and a fresh site key for when the old one leaked.
import { useState } from "preact/hooks";
import type { Site } from "./model";
import { useSession } from "../../../session";
import { useResource } from "../../../ui/resource";
import { Loaded, Outcome } from "../../../ui/states";
import { ConfirmButton, Editable, Field, SaveBar, TimezoneSelect, useSaver, value } from "./kit";
import { joinList, splitList } from "./model";
import type { TabProps } from "./SitePage";

export default function GeneralTab({ site, answer, reloadSite, onSite }: TabProps) {
  const { t } = useSession();
  const saver = useSaver(reloadSite);
  const [name, setName] = useState(site.name);
  const [domains, setDomains] = useState(joinList(site.domains, "\n"));
  const [own, setOwn] = useState(joinList(site.ownNumbers, "\n"));
  const [country, setCountry] = useState(site.country);
  const [timezone, setTimezone] = useState(site.timezone);
  const path = `/v1/sites/${encodeURIComponent(site.siteId)}`;
  const submit = (event: Event) => {
    event.preventDefault();
    saver.run(async (api) => {
      const saved = await api.send<Site>("PATCH", path, {
        name: name.trim(), domains: splitList(domains), ownNumbers: splitList(own), country: country.trim().toUpperCase(), timezone,
      }, { ifMatch: answer.etag });
      onSite(saved);
      setOwn(joinList(saved.body.ownNumbers, "\n"));
      setDomains(joinList(saved.body.domains, "\n"));
    });
  };
  return (
    <>
      <form class="card" onSubmit={submit} aria-labelledby="general-title">
        <h3 id="general-title">{t("setGeneralTitle")}</h3>
        <Editable>
          <Field id="g-name" label={t("setSiteName")}>
            <input id="g-name" required maxLength={200} value={name} onInput={(e) => setName(value(e))} />
          </Field>
          <Field id="g-domains" label={t("setDomains")} hint={t("setDomainsLinesHint")}>
            <textarea id="g-domains" required rows={3} value={domains} aria-describedby="g-domains-hint" onInput={(e) => setDomains(value(e))} />
          </Field>
          <Field id="g-own" label={t("setOwnNumbers")} hint={t("setOwnNumbersLinesHint")}>
            <textarea id="g-own" rows={2} value={own} aria-describedby="g-own-hint" onInput={(e) => setOwn(value(e))} />
          </Field>
          <div class="row">
            <Field id="g-country" label={t("setCountry")} hint={t("setCountryHint")}>
              <input id="g-country" class="short" required pattern="[A-Za-z]{2}" maxLength={2} value={country}
                aria-describedby="g-country-hint" onInput={(e) => setCountry(value(e))} />
            </Field>
            <Field id="g-tz" label={t("setTimezone")}>
              <TimezoneSelect id="g-tz" value={timezone} onChange={setTimezone} />
            </Field>
          </div>
        </Editable>
        <SaveBar saver={saver} />
      </form>
      <Snippet site={site} etag={answer.etag} onSite={onSite} reloadSite={reloadSite} />
    </>
  );
}

function Snippet({ site, etag, onSite, reloadSite }: { site: Site; etag: string | null } & Pick<TabProps, "onSite" | "reloadSite">) {
  const { t } = useSession();
  const path = `/v1/sites/${encodeURIComponent(site.siteId)}`;
  // Read again after a rotation: the snippet carries the key.
  const snippet = useResource((api) => api.get<{ siteKey: string; snippet: string }>(`${path}/snippet`), [site.siteKey]);
  const [copied, setCopied] = useState<boolean | null>(null);
  const rotator = useSaver(reloadSite);
  const copy = async (text: string) => {
    try {
      await navigator.clipboard.writeText(text);
      setCopied(true);
    } catch {
      setCopied(false);
    }
  };
  const rotate = () => rotator.run(async (api) => onSite(await api.send<Site>("POST", `${path}/site-key`, undefined, { ifMatch: etag })));
  return (
    <section class="card" aria-labelledby="snippet-title">
      <h3 id="snippet-title">{t("setSnippetTitle")}</h3>
      <p class="hint">{t("setSnippetHint")}</p>
      <Loaded resource={snippet}>
        {(s) => (
          <>
            <pre class="snippet" tabIndex={0} aria-label={t("setSnippetTitle")}><code>{s.snippet}</code></pre>
            <div class="save-bar">
              <button type="button" class="secondary" onClick={() => copy(s.snippet)}>{t("setCopySnippet")}</button>
              <span role="status">{copied === true ? t("copied") : copied === false ? t("setCopyFailed") : ""}</span>
            </div>
            <dl class="facts"><dt>{t("setSiteKey")}</dt><dd><code>{s.siteKey}</code></dd></dl>
          </>
        )}
      </Loaded>
      <h4>{t("setRotateTitle")}</h4>
      <p class="hint warn-text">{t("setRotateWarning")}</p>
      <div class="save-bar">
        <ConfirmButton label={t("setRotate")} question={t("setRotateQ")} busy={rotator.busy} onConfirm={rotate} />
        <Outcome error={rotator.error} saved={rotator.saved} />
      </div>
    </section>
  );
}
