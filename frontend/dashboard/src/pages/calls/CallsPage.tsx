// The live call log: new calls appear within 3 s on an open page, with the source the
// product named and why. The filters live in the address, so a filtered list can be
// bookmarked and shared.
import { useLocation } from "preact-iso";
import { useState } from "preact/hooks";
import { type Call, query } from "../../api";
import { explain, sourceOf } from "../../explain";
import { useSession } from "../../session";
import { dateTime, phone } from "../../ui/format";
import { useResource } from "../../ui/resource";
import { Empty, Loaded, Page } from "../../ui/states";
import { CallFilters, type Filters, filtersFrom, rangeOf } from "./CallFilters";
import { mergeRows } from "./rows";
import { LEAD_TONE, MISSED, leadText, statusText } from "./words";

const POLL_MS = 2000; // a new call shows within 3 s on an open page
const PAGE = 50;

export default function CallsPage() {
  const { t, language, api } = useSession();
  const { query: params, route } = useLocation();
  const filters = filtersFrom(params);
  const [older, setOlder] = useState<{ calls: Call[]; cursor: string | null } | null>(null);
  const apiQuery = (cursor?: string | null) => {
    const { from, to } = rangeOf(filters);
    return query({ from, to, limit: PAGE, cursor, source: filters.source, campaign: filters.campaign,
      number: filters.number, status: filters.status, leadStatus: filters.leadStatus, tag: filters.tag,
      firstTime: filters.firstTime ? "true" : undefined, missed: filters.missed ? "true" : undefined });
  };
  const key = apiQuery();
  // The newest page polls; older pages, once asked for, stay as they were read (rows.ts).
  const calls = useResource((client) => client.get<{ calls: Call[]; cursor: string | null }>(`/v1/calls${key}`), [key], POLL_MS);
  // A new account has no site yet: its empty log points to the set-up wizard.
  const sites = useResource((client) => client.get<{ sites: unknown[] }>("/v1/sites"));
  const apply = (next: Filters) => {
    setOlder(null);
    route(`/app/calls${query(next as Record<string, string>)}`);
  };
  const filtered = Object.values(filters).some(Boolean);
  return (
    <Page title={t("title")}>
      <CallFilters value={filters} onApply={apply} />
      <Loaded resource={calls}>
        {(first) => {
          const rows = mergeRows(first.calls, older?.calls ?? []);
          const cursor = older ? older.cursor : first.cursor;
          if (rows.length === 0) {
            if (filtered) return <Empty><p>{t("emptyFiltered")}</p></Empty>;
            return sites.state === "ready" && sites.value.sites.length === 0
              ? <Empty><p>{t("emptyNoSite")}</p><p><a class="button" href="/app/start">{t("startSetup")}</a></p></Empty>
              : <Empty><p>{t("empty")}</p></Empty>;
          }
          return (
            <>
              <p class="hint" aria-live="polite">{t("live")}</p>
              <table class="calls">
                <thead><tr>
                  <th scope="col">{t("when")}</th><th scope="col">{t("caller")}</th><th scope="col">{t("number")}</th>
                  <th scope="col">{t("source")}</th><th scope="col">{t("status")}</th><th scope="col">{t("lead")}</th>
                </tr></thead>
                <tbody>
                  {rows.map((call) => <CallRow key={call.call_id} call={call} language={language} />)}
                </tbody>
              </table>
              {cursor && (
                <p><button type="button" class="secondary" onClick={async () => {
                  const page = await api.get<{ calls: Call[]; cursor: string | null }>(`/v1/calls${apiQuery(cursor)}`);
                  setOlder({ calls: [...(older?.calls ?? first.calls), ...page.calls], cursor: page.cursor });
                }}>{t("more")}</button></p>
              )}
            </>
          );
        }}
      </Loaded>
    </Page>
  );
}

function CallRow({ call, language }: { call: Call; language: ReturnType<typeof useSession>["language"] }) {
  const { t } = useSession();
  const lead = call.lead;
  return (
    <tr data-call={call.call_id}>
      <td data-label={t("when")}><a href={`/app/calls/${encodeURIComponent(call.call_id)}`}>{dateTime(call.started_at, language)}</a></td>
      <td data-label={t("caller")}>
        <a href={`/app/callers/${encodeURIComponent(call.caller)}`}>{phone(call.caller)}</a>
        {call.attribution.first_time_caller ? <span class="tag">{t("firstTime")}</span> : null}
      </td>
      <td data-label={t("number")}>{phone(call.tracking_number)}</td>
      <td data-label={t("source")}>
        <strong>{sourceOf(call.attribution, t)}</strong>
        <ul class="why">{explain(call.attribution, t).map((line) => <li>{line}</li>)}</ul>
      </td>
      <td data-label={t("status")}><span class={`tag ${MISSED.has(call.status) ? "danger" : ""}`}>{statusText(call.status, t)}</span></td>
      <td data-label={t("lead")}>
        {lead && <span class={`tag ${LEAD_TONE[lead.status]}`}>{leadText(lead.status, t)}</span>}
        {lead?.tags.map((tag) => <span class="tag" key={tag}>#{tag}</span>)}
      </td>
    </tr>
  );
}
