// /app/reports (every report, and the last 30 days at a glance) and /app/reports/:name
// (one report), from the catalogue the API lists: a report it adds appears here by itself.
import { useRoute } from "preact-iso";
import { useEffect } from "preact/hooks";
import { useSession } from "../../session";
import { useResource } from "../../ui/resource";
import { Page } from "../../ui/states";
import type { ReportInfo } from "./model";
import { Overview } from "./Overview";
import { ReportLoaded, ReportView } from "./ReportView";
import "./reports.css";

// The catalogue is the same for every account and changes only with a deploy.
let known: Promise<{ reports: ReportInfo[] }> | null = null;

export default function ReportsPage() {
  const { t } = useSession();
  const { params } = useRoute();
  const catalogue = useResource((api) => {
    known ??= api.get<{ reports: ReportInfo[] }>("/v1/reports").catch((error) => { known = null; throw error; });
    return known;
  });
  const name = params.name ? decodeURIComponent(params.name) : null;
  useEffect(() => {
    // The shell focused the loading page's heading, which the report's page replaced: a
    // keyboard or screen reader user starts from the new one.
    if (catalogue.state === "ready" && (!document.activeElement || document.activeElement === document.body)) {
      document.getElementById("page-title")?.focus({ preventScroll: true });
    }
  }, [catalogue.state, name]);
  if (catalogue.state !== "ready") {
    return <Page title={t("reportsTitle")}><ReportLoaded resource={catalogue}>{() => null}</ReportLoaded></Page>;
  }
  const { reports } = catalogue.value;
  if (name === null) return <Overview reports={reports} />;
  const info = reports.find((r) => r.name === name);
  if (!info) {
    return <Page title={t("notFound")}><p><a href="/app/reports">{t("repAllReports")}</a></p></Page>;
  }
  // A new report starts afresh (its own choices of measure and grouping).
  return <ReportView key={info.name} info={info} />;
}
