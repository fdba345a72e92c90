// The callback requests visitors left in the widget, newest first, live: each with the
// visitor's number, the page, the source, and how the dialling went.
import { useLocation } from "preact-iso";
import { useState } from "preact/hooks";
import { query } from "../../api";
import { useSession } from "../../session";
import { dateTime, dayStart, phone } from "../../ui/format";
import { useResource } from "../../ui/resource";
import { Empty, Loaded, Page } from "../../ui/states";
import { type CallbackRequest, pageOf, requestPage, sourceOf, toneOf } from "./model";
import { outcomeText, statusText } from "./words";
import "./callbacks.css";

const POLL_MS = 3000; // a new request, and each step of its dialling, shows within seconds
const PAGE_SIZE = 50;
const DAY_MS = 24 * 3600 * 1000;

export default function CallbacksPage() {
  const { t } = useSession();
  const { query: search, route } = useLocation();
  // The period is in the address (a link can be shared); the cursors are this view's.
  const from = search.from ? dayStart(search.from) : null;
  const to = search.to ? dayStart(search.to) + DAY_MS : null;
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const cursor = cursors[cursors.length - 1];
  const list = useResource((api) => api.get<{ callbacks: CallbackRequest[]; cursor: string | null }>(
    `/v1/callback-requests${query({ from, to, limit: PAGE_SIZE, cursor })}`), [from, to, cursor], POLL_MS);

  const apply = (event: Event) => {
    event.preventDefault();
    const form = new FormData(event.target as HTMLFormElement);
    setCursors([null]);
    route(`/app/callbacks${query({ from: String(form.get("from") ?? ""), to: String(form.get("to") ?? "") })}`);
  };

  return (
    <Page title={t("callbacksTitle")}>
      <form class="filters" onSubmit={apply} aria-label={t("cbFilters")} key={`${search.from}|${search.to}`}>
        <div class="field">
          <label for="cb-from">{t("cbFrom")}</label>
          <input id="cb-from" name="from" type="date" defaultValue={search.from ?? ""} />
        </div>
        <div class="field">
          <label for="cb-to">{t("cbTo")}</label>
          <input id="cb-to" name="to" type="date" defaultValue={search.to ?? ""} />
        </div>
        <button type="submit">{t("cbApply")}</button>
        {(search.from || search.to) && (
          <a class="button secondary" href="/app/callbacks" onClick={() => setCursors([null])}>{t("cbClear")}</a>
        )}
      </form>
      <Loaded resource={list}>
        {({ callbacks, cursor: next }) => (
          <>
            {callbacks.length === 0 && cursors.length === 1
              ? <Empty><p>{t("cbEmpty")}</p><p><a href="/app/settings/sites">{t("cbEmptyWidget")}</a></p></Empty>
              : <>
                <p class="hint">{t("cbLive")}</p>
                <Requests callbacks={callbacks} />
              </>}
            {(cursors.length > 1 || next) && (
              <nav class="cb-pager" aria-label={t("cbPaging")}>
                <button type="button" class="secondary" disabled={cursors.length === 1}
                  onClick={() => setCursors((c) => c.slice(0, -1))}>{t("cbNewer")}</button>
                <button type="button" class="secondary" disabled={!next}
                  onClick={() => next && setCursors((c) => [...c, next])}>{t("cbOlder")}</button>
              </nav>
            )}
          </>
        )}
      </Loaded>
    </Page>
  );
}

function Requests({ callbacks }: { callbacks: CallbackRequest[] }) {
  const { t, language } = useSession();
  return (
    <table class="stack cb-list">
      <thead>
        <tr>
          <th scope="col">{t("cbWhen")}</th><th scope="col">{t("cbVisitor")}</th><th scope="col">{t("cbPage")}</th>
          <th scope="col">{t("cbSource")}</th><th scope="col">{t("cbStatus")}</th><th scope="col">{t("cbRounds")}</th>
        </tr>
      </thead>
      <tbody>
        {callbacks.map((request) => {
          const outcome = outcomeText(request.outcome ?? {}, t);
          const page = pageOf(requestPage(request));
          return (
            <tr key={request.request_id} data-request={request.request_id} data-status={request.status}>
              <td data-label={t("cbWhen")}>
                <a href={`/app/callbacks/${encodeURIComponent(request.request_id)}`}>{dateTime(request.created_at, language)}</a>
              </td>
              <td data-label={t("cbVisitor")}>{phone(request.phone)}</td>
              <td data-label={t("cbPage")} class="cb-page">{page ?? "–"}</td>
              <td data-label={t("cbSource")}>{sourceOf(request.attribution ?? {}) ?? <span class="hint">{t("cbNoSource")}</span>}</td>
              <td data-label={t("cbStatus")}>
                <span class={`tag ${toneOf(request.status)}`}>{statusText(request.status, t)}</span>
                {outcome && <span class="cb-outcome">{outcome}</span>}
              </td>
              <td data-label={t("cbRounds")}>{request.rounds.length}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
