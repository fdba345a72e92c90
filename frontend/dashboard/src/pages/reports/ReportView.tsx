// One report: its days and parameters, the chart the report is read by, every row in a
// table (with the previous period's when compared), and its CSV.
import { useLocation } from "preact-iso";
import { useMemo, useState } from "preact/hooks";
import { ApiError, query as queryString, type Api } from "../../api";
import { useSession } from "../../session";
import { dayInput } from "../../ui/format";
import { useResource } from "../../ui/resource";
import type { ComponentChildren } from "preact";
import { Empty, Failed, Loaded, Outcome, Page } from "../../ui/states";
import type { Resource } from "../../ui/resource";
import { AdSpend } from "./AdSpend";
import { bytes, dayText, reportAbout, rowCount, reportTitle, type CellContext, type Names } from "./cells";
import { ChartPanel } from "./ChartPanel";
import { compareRows } from "./compare";
import { Controls, type Choices, type Query } from "./Controls";
import { downloadCsv, fallbackName } from "./csv";
import { DataTable } from "./DataTable";
import { Funnel } from "./Funnel";
import { chartOf, dimensionsOf, emptyText, isEmpty, type ReportAnswer, type ReportInfo } from "./model";
import { PoolsNow, type PoolSummary } from "./PoolsNow";
import { previousRange, rangeFromQuery, type DayRange } from "./range";

interface Lists {
  sites: { siteId: string; name: string }[];
  pools: PoolSummary[];
}

// Sites and pools name the rows and fill the filters' choices; a report still shows
// (with ids) when they cannot be read.
async function lists(api: Api, sites: boolean, pools: boolean): Promise<Lists> {
  const read = async <T,>(wanted: boolean, path: string, pick: (body: any) => T[] | undefined): Promise<T[]> => {
    if (!wanted) return [];
    try { return pick(await api.get(path)) ?? []; } catch { return []; }
  };
  const [siteList, poolList] = await Promise.all([
    read<Lists["sites"][number]>(sites, "/v1/sites", (b) => b.sites),
    read<PoolSummary>(pools, "/v1/pools", (b) => b.pools),
  ]);
  return { sites: siteList, pools: poolList };
}

// A resource of the reports API: an installation without reports (503
// reports_unavailable) is said in the reader's language, not the API's English.
export function ReportLoaded<T>({ resource, children }: { resource: Resource<T>; children: (value: T) => ComponentChildren }) {
  const { t } = useSession();
  if (resource.state === "failed" && resource.error instanceof ApiError && resource.error.code === "reports_unavailable") {
    return <Failed error={new Error(t("repUnavailable"))} onRetry={resource.reload} />;
  }
  return <Loaded resource={resource}>{children}</Loaded>;
}


// The API's parameters for the report as the address asks for it.
function parameters(info: ReportInfo, query: Query, range: DayRange, everyTenant: boolean): Record<string, string | undefined> {
  const params: Record<string, string | undefined> = { from: range.from, to: range.to };
  if (info.touches.length && query.touch && info.touches.includes(query.touch)) params.touch = query.touch;
  for (const name of info.filters) params[name] = query[name];
  if (everyTenant) params.tenants = "all";
  return params;
}

export function ReportView({ info }: { info: ReportInfo }) {
  const { t, api, tenant, membership, me, clients } = useSession();
  const { path, query, route } = useLocation();
  const { preset, range } = rangeFromQuery(query, dayInput(Date.now()));
  const comparing = query.compare === "1";
  const before = previousRange(range);
  const agencyOwn = membership.kind === "agency" && membership.tenantId === tenant;
  // The roll-up of an agency's own account spans its clients; anywhere else it is one row.
  const everyTenant = info.name === "agency_rollup" && agencyOwn;
  const params = parameters(info, query, range, everyTenant);
  const base = `/v1/reports/${encodeURIComponent(info.name)}`;
  const search = queryString(params);
  const searchBefore = queryString({ ...params, from: before.from, to: before.to });

  const answers = useResource(async (api) => {
    const [now, then] = await Promise.all([
      api.get<ReportAnswer>(base + search),
      comparing ? api.get<ReportAnswer>(base + searchBefore) : Promise.resolve(null),
    ]);
    return { now, then };
  }, [search, comparing]);

  const wantsSites = info.filters.includes("site") || info.name === "missed_call_alerts";
  const wantsPools = info.filters.includes("pool") || info.name === "pool_health";
  const named = useResource((api) => lists(api, wantsSites, wantsPools), [info.name]);
  const found = named.state === "ready" ? named.value : { sites: [], pools: [] };
  const names = useMemo((): Names => ({
    tenant_id: Object.fromEntries([...me.memberships.map((m) => [m.tenantId, m.name]), ...clients.map((c) => [c.tenantId, c.name])]),
    site_id: Object.fromEntries(found.sites.map((s) => [s.siteId, s.name])),
    pool_id: Object.fromEntries(found.pools.map((p) => [p.poolId, p.name])),
  }), [me, clients, found]);
  const choices: Choices = {
    sites: found.sites.map((s) => ({ id: s.siteId, name: s.name })),
    pools: found.pools.map((p) => ({ id: p.poolId, name: p.name })),
  };

  const change = (changes: Query) => {
    const next: Query = { ...query, ...changes };
    route(`${path}${queryString(next)}`, true);
  };

  const [csv, setCsv] = useState<{ busy: boolean; file?: string; error?: unknown }>({ busy: false });
  const download = async () => {
    setCsv({ busy: true });
    try {
      const file = await downloadCsv(api, base + queryString({ ...params, format: "csv" }), fallbackName(info.name, range.from, range.to));
      setCsv({ busy: false, file });
    } catch (error) {
      setCsv({ busy: false, error });
    }
  };

  const title = reportTitle(info.name, info.title, t);
  return (
    <Page title={title} actions={
      <>
        <a class="button secondary" href="/app/reports">{t("repAllReports")}</a>
        <button type="button" onClick={download} disabled={csv.busy}>{csv.busy ? t("repDownloading") : t("repDownload")}</button>
      </>
    }>
      <p class="rep-about">{reportAbout(info.name, info.description, t)}</p>
      <div aria-live="polite" class="rep-csv-state">
        {csv.file && <p class="ok">{t("repDownloaded", { file: csv.file })}</p>}
        <Outcome error={csv.error} />
      </div>
      <Controls info={info} preset={preset} range={range} query={query} choices={choices} onChange={change} />
      <ReportLoaded resource={answers}>
        {({ now, then }) => (
          <ReportBody info={info} answer={now} before={then} names={names} pools={found.pools}
            chosen={{ chart: query.chart, group: query.group }} onChoose={change}
            everyTenant={everyTenant} viewingClient={membership.kind === "agency" && !agencyOwn} />
        )}
      </ReportLoaded>
      {/* Outside the report's rows, so what an upload stored stays shown while they reload. */}
      {info.name === "cost_per_lead" && <AdSpend onStored={answers.reload} />}
    </Page>
  );
}

interface BodyProps {
  info: ReportInfo;
  answer: ReportAnswer;
  before: ReportAnswer | null;
  names: Names;
  pools: PoolSummary[];
  everyTenant: boolean;
  // An agency member in one client's account (the shell acts there with the agency's role).
  viewingClient: boolean;
  chosen: { chart?: string; group?: string };
  onChoose: (changes: Query) => void;
}

function ReportBody({ info, answer, before, names, pools, everyTenant, viewingClient, chosen, onChoose }: BodyProps) {
  const { t, language } = useSession();
  const dimensions = dimensionsOf(answer.report, answer.columns, answer.rows);
  const ctx: CellContext = { t, language, dimensions, names };
  const rangeText = t("repShown", { from: dayText(answer.from, language), to: dayText(answer.to, language) });
  const rows = compareRows(answer.rows, before?.rows ?? null, dimensions);
  const spec = chartOf(answer.report, answer.columns, answer.rows);
  const empty = isEmpty(answer) && (!before || isEmpty(before));
  // A report of the one account shown need not name it on every row (the roll-up does).
  const oneAccount = answer.tenants.length === 1 && answer.report !== "agency_rollup";
  const noSpend = answer.report === "cost_per_lead" && !answer.rows.some((r) => typeof r.spend === "number");

  return (
    <>
      <p class="rep-period">
        <strong>{rangeText}</strong>
        {before && <span> · {t("repPrevious", { from: dayText(before.from, language), to: dayText(before.to, language) })}</span>}
        {info.timezone && <span class="hint"> {t("repZone", { zone: answer.timezone })}</span>}
      </p>
      {answer.report === "agency_rollup" && !everyTenant && (
        <p class="state rep-note">{t(viewingClient ? "repRollupClient" : "repRollupNotAgency")}</p>
      )}
      {/* Without spend there is no cost to show: how to add it comes first. */}
      {noSpend && (
        <div class="state rep-note rep-no-spend">
          <p>{t("repNoSpend")}</p>
          <button type="button" class="link" onClick={() => document.getElementById("rep-spend-title")?.scrollIntoView()}>{t("repSpendUpload")}</button>
        </div>
      )}
      {empty ? (
        <Empty>
          <p><strong>{t(emptyText(answer.report))}</strong></p>
          <p>{t("repEmptyHint")}</p>
        </Empty>
      ) : (
        <>
          {spec && spec.kind === "funnel" && answer.rows[0] && (
            <Funnel row={answer.rows[0]} previous={before?.rows[0] ?? null} columns={answer.columns} ctx={ctx} />
          )}
          {spec && spec.kind !== "funnel" && <ChartPanel spec={spec} answer={answer} before={before} ctx={ctx} rangeText={rangeText} chosen={chosen} onChoose={onChoose} />}
          <section aria-labelledby="rep-rows-title">
            <h2 id="rep-rows-title">{t("repRows")} <span class="hint">{rowCount(rows.length, t, language)}</span></h2>
            <DataTable id="rep-rows" caption={rangeText} columns={oneAccount ? answer.columns.filter((c) => c !== "tenant_id") : answer.columns} rows={rows} comparing={before !== null} ctx={ctx} />
          </section>
        </>
      )}
      {answer.report === "pool_health" && <PoolsNow pools={pools} />}
      {answer.bytesScanned !== null && answer.bytesScanned > 0 && (
        <p class="hint rep-scanned">{t("repScanned", { size: bytes(answer.bytesScanned, language) })}</p>
      )}
    </>
  );
}
