// The account's sites: each links to its editors; a new one is added here, and one with no
// numbers or pools left can be deleted (the API refuses the others: their numbers would
// go on ringing a site that no longer exists).
import { useLocation } from "preact-iso";
import { useState } from "preact/hooks";
import { useSession } from "../../../session";
import { useResource } from "../../../ui/resource";
import { Empty, Loaded, Outcome } from "../../../ui/states";
import { HoursTable, type Rows } from "./HoursTable";
import { ConfirmButton, Field, TimezoneSelect, useSaver, value } from "./kit";
import { type Site, hoursOf, hoursProblem, hoursRows, sitePath, splitList } from "./model";

export default function SitesList() {
  const { t, can } = useSession();
  const sites = useResource((api) => api.get<{ sites: Site[] }>("/v1/sites"));
  const [adding, setAdding] = useState(false);
  const remover = useSaver(sites.reload);
  const remove = (site: Site) =>
    remover.run((api) => api.send("DELETE", `/v1/sites/${encodeURIComponent(site.siteId)}`, undefined, { ifMatch: `"v${site.version}"` }))
      .then((ok) => ok && sites.reload());
  return (
    <div class="sites">
      <div class="section-head">
        <h2>{t("setSitesTitle")}</h2>
        {can("write") && !adding && <button type="button" onClick={() => setAdding(true)}>{t("setAddSite")}</button>}
      </div>
      {adding && <NewSite onDone={(created) => { setAdding(false); if (created) sites.reload(); }} />}
      <Outcome error={remover.error} />
      <Loaded resource={sites}>
        {({ sites: list }) => list.length === 0 ? (
          <Empty><p>{t("setNoSites")}</p></Empty>
        ) : (
          <table class="stack sites-table">
            <thead><tr>
              <th scope="col">{t("setSiteName")}</th><th scope="col">{t("setDomains")}</th>
              <th scope="col">{t("setTimezone")}</th><th scope="col"><span class="visually-hidden">{t("setActions")}</span></th>
            </tr></thead>
            <tbody>
              {list.map((site) => (
                <tr key={site.siteId} data-site={site.siteId}>
                  <td data-label={t("setSiteName")}><a href={sitePath(site.siteId)}>{site.name}</a></td>
                  <td data-label={t("setDomains")}>{site.domains.join(", ")}</td>
                  <td data-label={t("setTimezone")}>{site.timezone}</td>
                  <td data-label={t("setActions")} class="actions">
                    <a href={sitePath(site.siteId)} class="button secondary">{t("edit")}</a>{" "}
                    <ConfirmButton label={t("delete")} question={t("setDeleteSiteQ", { name: site.name })}
                      busy={remover.busy} onConfirm={() => remove(site)} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Loaded>
    </div>
  );
}

function NewSite({ onDone }: { onDone: (created: boolean) => void }) {
  const { t } = useSession();
  const { route } = useLocation();
  const saver = useSaver();
  const [name, setName] = useState("");
  const [domains, setDomains] = useState("");
  const [own, setOwn] = useState("");
  const [country, setCountry] = useState("US");
  const [timezone, setTimezone] = useState(Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC");
  const [allDay, setAllDay] = useState(true);
  const [rows, setRows] = useState<Rows>(hoursRows({ mon: [["09:00", "18:00"]], tue: [["09:00", "18:00"]], wed: [["09:00", "18:00"]], thu: [["09:00", "18:00"]], fri: [["09:00", "18:00"]] }));
  const [problem, setProblem] = useState<string | null>(null);
  const submit = async (event: Event) => {
    event.preventDefault();
    const bad = allDay ? null : hoursProblem(rows);
    if (bad) return setProblem(t("setHoursBad", { day: t(`setDay_${bad}` as "setDay_mon") }));
    setProblem(null);
    let created: Site | null = null;
    const ok = await saver.run(async (api) => {
      created = (await api.send<Site>("POST", "/v1/sites", {
        name: name.trim(), domains: splitList(domains), ownNumbers: splitList(own), country: country.trim().toUpperCase(),
        timezone, workingHours: allDay ? {} : hoursOf(rows),
      })).body;
    });
    if (ok && created) {
      onDone(true);
      route(sitePath((created as Site).siteId));
    }
  };
  return (
    <form class="card new-site" onSubmit={submit} aria-labelledby="new-site-title">
      <h3 id="new-site-title">{t("setNewSite")}</h3>
      <Field id="ns-name" label={t("setSiteName")}>
        <input id="ns-name" required maxLength={200} value={name} onInput={(e) => setName(value(e))} />
      </Field>
      <Field id="ns-domains" label={t("setDomains")} hint={t("setDomainsHint")}>
        <input id="ns-domains" required value={domains} aria-describedby="ns-domains-hint" placeholder="example.com"
          onInput={(e) => setDomains(value(e))} />
      </Field>
      <Field id="ns-own" label={t("setOwnNumbers")} hint={t("setOwnNumbersHint")}>
        <input id="ns-own" value={own} aria-describedby="ns-own-hint" inputMode="tel" onInput={(e) => setOwn(value(e))} />
      </Field>
      <div class="row">
        <Field id="ns-country" label={t("setCountry")} hint={t("setCountryHint")}>
          <input id="ns-country" class="short" required pattern="[A-Za-z]{2}" maxLength={2} value={country}
            aria-describedby="ns-country-hint" onInput={(e) => setCountry(value(e))} />
        </Field>
        <Field id="ns-tz" label={t("setTimezone")}>
          <TimezoneSelect id="ns-tz" value={timezone} onChange={setTimezone} />
        </Field>
      </div>
      <h4>{t("setHoursTitle")}</h4>
      <HoursTable id="ns-hours" rows={rows} onChange={setRows} allDay={allDay} onAllDay={setAllDay} />
      {problem && <p role="alert" class="error">{problem}</p>}
      <div class="save-bar">
        <button type="submit" disabled={saver.busy}>{saver.busy ? t("saving") : t("setCreateSite")}</button>
        <button type="button" class="secondary" onClick={() => onDone(false)}>{t("cancel")}</button>
        <Outcome error={saver.error} />
      </div>
    </form>
  );
}
