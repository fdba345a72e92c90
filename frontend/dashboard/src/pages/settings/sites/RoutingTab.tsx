// Routing & hours: where the site's calls go, its working hours (which decide off hours,
// for calls and callbacks alike), and a tracking number's own routing where it has one.
// All three are versioned by the site, so the tab keeps the newest ETag any save answered.
import { useState } from "preact/hooks";
import type { Answer } from "../../../api";
import { useSession } from "../../../session";
import { phone } from "../../../ui/format";
import { Loaded } from "../../../ui/states";
import { HoursTable, type Rows } from "./HoursTable";
import { ConfirmButton, Editable, SaveBar, useSaver, useVersioned, value } from "./kit";
import { type Routing, type Site, type TrackingNumber, hoursOf, hoursProblem, hoursRows, numberPath } from "./model";
import { RoutingFields, routingBody } from "./RoutingEditor";
import type { TabProps } from "./SitePage";

export default function RoutingTab({ site, onSite, reloadSite }: TabProps) {
  const path = `/v1/sites/${encodeURIComponent(site.siteId)}/routing`;
  const routing = useVersioned<Routing>(path);
  return (
    <Loaded resource={routing}>
      {(answer) => <Forms key={answer.etag} site={site} answer={answer} onSite={onSite} reload={() => { routing.reload(); reloadSite(); }} />}
    </Loaded>
  );
}

function Forms({ site, answer, onSite, reload }: { site: Site; answer: Answer<Routing>; onSite: (a: Answer<Site>) => void; reload: () => void }) {
  const { t } = useSession();
  const [etag, setEtag] = useState(answer.etag);
  const [routing, setRouting] = useState(answer.body);
  const saver = useSaver(reload);
  const base = `/v1/sites/${encodeURIComponent(site.siteId)}`;
  const submit = (event: Event) => {
    event.preventDefault();
    saver.run(async (api) => {
      const saved = await api.send<Routing>("PUT", `${base}/routing`, routingBody(routing), { ifMatch: etag });
      setRouting(saved.body);
      setEtag(saved.etag);
    });
  };
  return (
    <>
      <form class="card" onSubmit={submit} aria-labelledby="routing-title">
        <h3 id="routing-title">{t("setRoutingTitle")}</h3>
        <RoutingFields id="rt" routing={routing} onChange={(r) => { saver.reset(); setRouting(r); }} />
        <SaveBar saver={saver} />
      </form>
      <HoursForm site={site} etag={etag} onSaved={(a) => { setEtag(a.etag); onSite(a); }} onConflict={reload} />
      <NumberRouting site={site} etag={etag} setEtag={setEtag} onConflict={reload} />
    </>
  );
}

function HoursForm({ site, etag, onSaved, onConflict }: { site: Site; etag: string | null; onSaved: (a: Answer<Site>) => void; onConflict: () => void }) {
  const { t } = useSession();
  const saver = useSaver(onConflict);
  const [allDay, setAllDay] = useState(Object.keys(site.workingHours ?? {}).length === 0);
  const [rows, setRows] = useState<Rows>(hoursRows(site.workingHours));
  const [problem, setProblem] = useState<string | null>(null);
  const submit = (event: Event) => {
    event.preventDefault();
    const bad = allDay ? null : hoursProblem(rows);
    setProblem(bad ? t("setHoursBad", { day: t(`setDay_${bad}` as "setDay_mon") }) : null);
    if (bad) return;
    saver.run(async (api) => onSaved(await api.send<Site>("PATCH", `/v1/sites/${encodeURIComponent(site.siteId)}`,
      { workingHours: allDay ? {} : hoursOf(rows) }, { ifMatch: etag })));
  };
  return (
    <form class="card" onSubmit={submit} aria-labelledby="hours-title">
      <h3 id="hours-title">{t("setHoursTitle")}</h3>
      <p class="hint">{t("setHoursHint", { zone: site.timezone })}</p>
      <Editable><HoursTable id="wh" rows={rows} onChange={(r) => { saver.reset(); setRows(r); }} allDay={allDay} onAllDay={setAllDay} /></Editable>
      {problem && <p role="alert" class="error">{problem}</p>}
      <SaveBar saver={saver} label={t("setSaveHours")} />
    </form>
  );
}

// A tracking number with routing of its own (a campaign's number ringing its own team).
function NumberRouting({ site, etag, setEtag, onConflict }: { site: Site; etag: string | null; setEtag: (e: string | null) => void; onConflict: () => void }) {
  const { t } = useSession();
  const numbers = useVersioned<{ numbers: TrackingNumber[] }>(`/v1/sites/${encodeURIComponent(site.siteId)}/numbers`);
  const [picked, setPicked] = useState("");
  return (
    <section class="card" aria-labelledby="nr-title">
      <h3 id="nr-title">{t("setNumberRoutingTitle")}</h3>
      <p class="hint">{t("setNumberRoutingHint")}</p>
      <Loaded resource={numbers}>
        {({ body }) => body.numbers.length === 0 ? <p class="muted">{t("setNoNumbers")}</p> : (
          <div class="field">
            <label for="nr-number">{t("setNumber")}</label>
            <select id="nr-number" value={picked} onChange={(e) => setPicked(value(e))}>
              <option value="">{t("setPickANumber")}</option>
              {body.numbers.map((n) => <option key={n.number} value={n.number}>{phone(n.number)}{n.poolName ? ` (${n.poolName})` : ""}</option>)}
            </select>
          </div>
        )}
      </Loaded>
      {picked && <OneNumber key={picked} site={site} number={picked} etag={etag} setEtag={setEtag} onConflict={onConflict} />}
    </section>
  );
}

function OneNumber({ site, number, etag, setEtag, onConflict }: { site: Site; number: string; etag: string | null; setEtag: (e: string | null) => void; onConflict: () => void }) {
  const { t } = useSession();
  const path = `/v1/sites/${encodeURIComponent(site.siteId)}/numbers/${numberPath(number)}/routing`;
  const current = useVersioned<Routing>(path);
  return (
    <Loaded resource={current}>
      {(answer) => <OneNumberForm key={answer.etag} path={path} answer={answer} etag={etag} setEtag={setEtag} onConflict={onConflict} label={t("setOwnRoutingOf", { number: phone(number) })} />}
    </Loaded>
  );
}

function OneNumberForm({ path, answer, etag, setEtag, onConflict, label }: {
  path: string; answer: Answer<Routing>; etag: string | null; setEtag: (e: string | null) => void; onConflict: () => void; label: string;
}) {
  const { t } = useSession();
  const [routing, setRouting] = useState(answer.body);
  const [own, setOwn] = useState(answer.body.own === true);
  const saver = useSaver(onConflict);
  // The site's ETag may be newer than this read (a save above): send the newest known.
  const version = etag ?? answer.etag;
  const submit = (event: Event) => {
    event.preventDefault();
    saver.run(async (api) => {
      const saved = await api.send<Routing>("PUT", path, routingBody(routing), { ifMatch: version });
      setRouting(saved.body);
      setOwn(true);
      setEtag(saved.etag);
    });
  };
  const follow = () => saver.run(async (api) => {
    const saved = await api.send<Routing>("DELETE", path, undefined, { ifMatch: version });
    setRouting(saved.body);
    setOwn(false);
    setEtag(saved.etag);
  });
  return (
    <form onSubmit={submit} aria-label={label}>
      <p role="status" class={own ? "tag warn" : "tag"}>{own ? t("setHasOwnRouting") : t("setFollowsSite")}</p>
      <RoutingFields id="nr" routing={routing} onChange={setRouting} />
      <div class="save-bar">
        <SaveBar saver={saver} label={own ? t("save") : t("setGiveOwnRouting")} />
        {own && <ConfirmButton class="secondary" label={t("setFollowSite")} question={t("setFollowSiteQ")} onConfirm={follow} busy={saver.busy} />}
      </div>
    </form>
  );
}
