// The caller's card: every call and callback request from one number, where the phone is
// from, and the visitor's first and last touch; and, for the roles that may write, the
// caller's data erased on their request (EraseCaller.tsx).
import { useRoute } from "preact-iso";
import { useState } from "preact/hooks";
import type { Call } from "../../api";
import { sourceOf } from "../../explain";
import { useSession } from "../../session";
import { dateTime, phone } from "../../ui/format";
import { useResource } from "../../ui/resource";
import { Loaded, Page } from "../../ui/states";
import { EraseCaller, Erased } from "./EraseCaller";
import type { Erasure } from "./erasure";
import { LEAD_TONE, MISSED, leadText, statusText } from "./words";

interface TouchAt {
  source: string | null;
  medium: string | null;
  campaign: string | null;
  at: number;
}

interface CallerCard {
  number: string;
  region: string | null;
  country: string | null;
  calls: Call[];
  callbacks: { request_id: string; created_at: number; status: string; attribution?: Call["attribution"] }[];
  firstTouch: TouchAt | null;
  lastTouch: TouchAt | null;
}

export default function CallerPage() {
  const { t, language, can } = useSession();
  const { params } = useRoute();
  const number = decodeURIComponent(params.number);
  const [erased, setErased] = useState<Erasure | null>(null);
  const card = useResource((api) => api.get<CallerCard>(`/v1/callers/${encodeURIComponent(number)}`), [number]);
  const touch = (touch: TouchAt | null) => touch
    ? `${[touch.source, touch.medium, touch.campaign].filter(Boolean).join(" / ") || t("none")} · ${dateTime(touch.at, language)}`
    : t("none");
  return (
    <Page title={t("callerCard", { number: phone(number) })}>
      {erased ? <Erased number={number} erasure={erased} /> : (
      <Loaded resource={card}>
        {(c) => (
          <>
            <section class="card" aria-label={t("callerCard", { number: phone(number) })}>
              <dl class="facts">
                <dt>{t("callerRegion")}</dt><dd>{c.region ?? t("none")}</dd>
                <dt>{t("country")}</dt><dd>{c.country ?? t("none")}</dd>
                <dt>{t("firstTouch")}</dt><dd>{touch(c.firstTouch)}</dd>
                <dt>{t("lastTouch")}</dt><dd>{touch(c.lastTouch)}</dd>
              </dl>
              <p><a class="button" href={`tel:${c.number}`}>{t("callBack")}</a></p>
            </section>
            <h2>{t("callerCalls")}</h2>
            {c.calls.length === 0 ? <p class="state empty">{t("empty")}</p> : (
              <table class="stack">
                <thead><tr><th scope="col">{t("when")}</th><th scope="col">{t("number")}</th><th scope="col">{t("source")}</th><th scope="col">{t("status")}</th><th scope="col">{t("lead")}</th></tr></thead>
                <tbody>
                  {c.calls.map((call) => (
                    <tr key={call.call_id}>
                      <td data-label={t("when")}><a href={`/app/calls/${encodeURIComponent(call.call_id)}`}>{dateTime(call.started_at, language)}</a></td>
                      <td data-label={t("number")}>{phone(call.tracking_number)}</td>
                      <td data-label={t("source")}>{sourceOf(call.attribution, t)}</td>
                      <td data-label={t("status")}><span class={`tag ${MISSED.has(call.status) ? "danger" : ""}`}>{statusText(call.status, t)}</span></td>
                      <td data-label={t("lead")}>{call.lead && <span class={`tag ${LEAD_TONE[call.lead.status]}`}>{leadText(call.lead.status, t)}</span>}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
            <h2>{t("callerCallbacks")}</h2>
            {c.callbacks.length === 0 ? <p class="state empty">{t("noCallbacks")}</p> : (
              <table class="stack">
                <thead><tr><th scope="col">{t("when")}</th><th scope="col">{t("source")}</th><th scope="col">{t("status")}</th></tr></thead>
                <tbody>
                  {c.callbacks.map((r) => (
                    <tr key={r.request_id}>
                      <td data-label={t("when")}><a href={`/app/callbacks/${encodeURIComponent(r.request_id)}`}>{dateTime(r.created_at, language)}</a></td>
                      <td data-label={t("source")}>{r.attribution ? sourceOf(r.attribution, t) : t("none")}</td>
                      <td data-label={t("status")}>{r.status}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
            {can("write") && <EraseCaller number={c.number} onErased={setErased} />}
          </>
        )}
      </Loaded>
      )}
    </Page>
  );
}
