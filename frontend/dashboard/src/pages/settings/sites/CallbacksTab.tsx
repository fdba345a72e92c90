// How the site's callbacks are dialled: on or off, who is rung (the operators, as a hunt
// group or all at once), how long each leg rings, how often a missed operator is tried
// again, at which of the visitor's hours, which countries may be called, the caller ID
// both legs see, and whether the call is recorded. Off hours are the site's working
// hours (Routing & hours): a request made then is called back at the next opening.
import { useState } from "preact/hooks";
import type { Answer } from "../../../api";
import { useSession } from "../../../session";
import { phone } from "../../../ui/format";
import { useResource } from "../../../ui/resource";
import { Loaded } from "../../../ui/states";
import { Check, Editable, Field, SaveBar, useSaver, useVersioned, value } from "./kit";
import { type CallbackSettings, type Site, type TrackingNumber, joinList, sitePath, splitList } from "./model";
import type { TabProps } from "./SitePage";

export default function CallbacksTab({ site }: TabProps) {
  const base = `/v1/sites/${encodeURIComponent(site.siteId)}`;
  const settings = useVersioned<CallbackSettings>(`${base}/callbacks`);
  // What a callback may call from: the site's tracking numbers and the verified caller IDs.
  const sources = useResource(async (api) => {
    const numbers = (await api.get<{ numbers: TrackingNumber[] }>(`${base}/numbers`)).numbers.map((n) => n.number);
    const verified = await api.get<{ callerIds: { number: string; status: string }[] }>("/v1/caller-ids")
      .then((a) => a.callerIds.filter((c) => c.status === "verified").map((c) => c.number), () => [] as string[]);
    return [...new Set([...numbers, ...verified])];
  }, [base]);
  return (
    <Loaded resource={settings}>
      {(answer) => (
        <Loaded resource={sources}>
          {(from) => <CallbackForm key={answer.etag} site={site} answer={answer} sources={from} reload={settings.reload} />}
        </Loaded>
      )}
    </Loaded>
  );
}

function CallbackForm({ site, answer, sources, reload }: { site: Site; answer: Answer<CallbackSettings>; sources: string[]; reload: () => void }) {
  const { t } = useSession();
  const [s, setS] = useState(answer.body);
  const [etag, setEtag] = useState(answer.etag);
  const [operators, setOperators] = useState(joinList(answer.body.operators, "\n"));
  const [countries, setCountries] = useState(joinList(answer.body.countries));
  const [blocked, setBlocked] = useState(joinList(answer.body.blockedPrefixes));
  const saver = useSaver(reload);
  const set = (part: Partial<CallbackSettings>) => { saver.reset(); setS({ ...s, ...part }); };
  const submit = (event: Event) => {
    event.preventDefault();
    const { callingFrom: _, ...rest } = s;
    const body = { ...rest, operators: splitList(operators), countries: splitList(countries).map((c) => c.toUpperCase()), blockedPrefixes: splitList(blocked) };
    saver.run(async (api) => {
      const saved = await api.send<CallbackSettings>("PUT", `/v1/sites/${encodeURIComponent(site.siteId)}/callbacks`, body, { ifMatch: etag });
      setS(saved.body);
      setOperators(joinList(saved.body.operators, "\n"));
      setEtag(saved.etag);
    });
  };
  const num = (e: Event) => Number(value(e));
  return (
    <form class="card" onSubmit={submit} aria-labelledby="cb-title">
      <h3 id="cb-title">{t("setCallbacksTitle")}</h3>
      <Editable>
        <Check id="cb-enabled" label={t("setCallbacksOn")} checked={s.enabled} onChange={(enabled) => set({ enabled })} />
        <fieldset>
          <legend>{t("setOperators")}</legend>
          <Field id="cb-operators" label={t("setOperatorNumbers")} hint={t("setOperatorsHint")}>
            <textarea id="cb-operators" rows={3} value={operators} aria-describedby="cb-operators-hint" onInput={(e) => { saver.reset(); setOperators(value(e)); }} />
          </Field>
          <div class="row">
            <Field id="cb-hunt" label={t("setHunt")}>
              <select id="cb-hunt" value={s.hunt} onChange={(e) => set({ hunt: value(e) as CallbackSettings["hunt"] })}>
                <option value="sequential">{t("setHunt_sequential")}</option>
                <option value="simultaneous">{t("setHunt_simultaneous")}</option>
              </select>
            </Field>
            <Field id="cb-ring" label={t("setOperatorRing")}>
              <input id="cb-ring" type="number" min={5} max={120} class="short" value={s.ringSeconds} onInput={(e) => set({ ringSeconds: num(e) })} />
            </Field>
            <Field id="cb-vring" label={t("setVisitorRing")}>
              <input id="cb-vring" type="number" min={5} max={120} class="short" value={s.visitorRingSeconds} onInput={(e) => set({ visitorRingSeconds: num(e) })} />
            </Field>
          </div>
        </fieldset>
        <fieldset>
          <legend>{t("setRetries")}</legend>
          <div class="row">
            <Field id="cb-rounds" label={t("setMaxRounds")} hint={t("setMaxRoundsHint")}>
              <input id="cb-rounds" type="number" min={1} max={10} class="short" value={s.maxRounds} aria-describedby="cb-rounds-hint" onInput={(e) => set({ maxRounds: num(e) })} />
            </Field>
            <Field id="cb-retry" label={t("setRetryMinutes")}>
              <input id="cb-retry" type="number" min={0} max={1440} class="short" value={Math.round(s.operatorRetrySeconds / 60)}
                onInput={(e) => set({ operatorRetrySeconds: num(e) * 60 })} />
            </Field>
          </div>
        </fieldset>
        <fieldset>
          <legend>{t("setVisitorSide")}</legend>
          <div class="row">
            <Field id="cb-from" label={t("setVisitorFrom")}>
              <input id="cb-from" type="time" value={s.visitorHours[0]} onInput={(e) => set({ visitorHours: [value(e), s.visitorHours[1]] })} />
            </Field>
            <Field id="cb-to" label={t("setVisitorTo")}>
              <input id="cb-to" type="time" value={s.visitorHours[1]} onInput={(e) => set({ visitorHours: [s.visitorHours[0], value(e)] })} />
            </Field>
          </div>
          <p class="hint">{t("setVisitorHoursHint")}</p>
          <Field id="cb-countries" label={t("setCallCountries")} hint={t("setCallCountriesHint", { country: site.country })}>
            <input id="cb-countries" value={countries} aria-describedby="cb-countries-hint" onInput={(e) => { saver.reset(); setCountries(value(e)); }} />
          </Field>
          <Field id="cb-blocked" label={t("setBlockedPrefixes")} hint={t("setBlockedHint")}>
            <input id="cb-blocked" value={blocked} aria-describedby="cb-blocked-hint" onInput={(e) => { saver.reset(); setBlocked(value(e)); }} />
          </Field>
        </fieldset>
        <fieldset>
          <legend>{t("setCallerId")}</legend>
          <Field id="cb-callerid" label={t("setCallFrom")} hint={t("setCallingFromNow", { number: phone(s.callingFrom) })}>
            <select id="cb-callerid" value={s.callerId ?? ""} aria-describedby="cb-callerid-hint" onChange={(e) => set({ callerId: value(e) || null })}>
              <option value="">{t("setCallerIdAuto")}</option>
              {[...new Set([...(s.callerId ? [s.callerId] : []), ...sources])].map((n) => <option key={n} value={n}>{phone(n)}</option>)}
            </select>
          </Field>
          <p class="hint"><a href={sitePath(site.siteId, "caller-ids")}>{t("setVerifyAnother")}</a></p>
          <Check id="cb-record" label={t("setRecordCallbacks")} checked={s.record} onChange={(record) => set({ record })} />
        </fieldset>
        <p class="hint">{t("setCallbackOffHours")} <a href={sitePath(site.siteId, "routing")}>{t("setTabRouting")}</a></p>
      </Editable>
      <SaveBar saver={saver} />
    </form>
  );
}
