// One site's editors, a tab each at its own address (/app/settings/sites/<id>/<tab>), so a
// tab can be bookmarked and the browser's Back goes to the previous one.
import type { ComponentType } from "preact";
import { useState } from "preact/hooks";
import type { Answer } from "../../../api";
import type { TextKey } from "../../../i18n";
import { useSession } from "../../../session";
import { Loaded } from "../../../ui/states";
import AlertsTab from "./AlertsTab";
import CallbacksTab from "./CallbacksTab";
import CallerIdsTab from "./CallerIdsTab";
import GeneralTab from "./GeneralTab";
import { ReadOnlyNote, useVersioned } from "./kit";
import { type Site, sitePath } from "./model";
import NumbersTab from "./NumbersTab";
import PoolsTab from "./PoolsTab";
import RoutingTab from "./RoutingTab";
import WidgetTab from "./WidgetTab";

export interface TabProps {
  site: Site;
  answer: Answer<Site>;
  reloadSite: () => void;
  // A save answered with the site as it is now (and its ETag): shown without a reload.
  onSite: (answer: Answer<Site>) => void;
}

const TABS: { path: string; label: TextKey; component: ComponentType<TabProps> }[] = [
  { path: "general", label: "setTabGeneral", component: GeneralTab },
  { path: "numbers", label: "setTabNumbers", component: NumbersTab },
  { path: "pools", label: "setTabPools", component: PoolsTab },
  { path: "routing", label: "setTabRouting", component: RoutingTab },
  { path: "widget", label: "setTabWidget", component: WidgetTab },
  { path: "callbacks", label: "setTabCallbacks", component: CallbacksTab },
  { path: "alerts", label: "setTabAlerts", component: AlertsTab },
  { path: "caller-ids", label: "setTabCallerIds", component: CallerIdsTab },
];

export default function SitePage({ siteId, tab }: { siteId: string; tab: string }) {
  const { t } = useSession();
  const site = useVersioned<Site>(`/v1/sites/${encodeURIComponent(siteId)}`);
  const [fresh, setFresh] = useState<Answer<Site> | null>(null);
  const reload = () => { setFresh(null); site.reload(); };
  const current = TABS.find((x) => x.path === tab) ?? TABS[0];
  const Tab = current.component;
  return (
    <div class="site-page">
      <p class="crumbs"><a href="/app/settings/sites">{t("setAllSites")}</a></p>
      <Loaded resource={site}>
        {(loaded) => {
          const answer = fresh ?? loaded;
          return (
          <>
            <h2 class="site-name">{answer.body.name}</h2>
            <nav class="site-tabs" aria-label={t("setSiteTabs", { name: answer.body.name })}>
              <ul>
                {TABS.map((x) => (
                  <li key={x.path}>
                    <a href={sitePath(siteId, x.path)} aria-current={x === current ? "page" : undefined}>{t(x.label)}</a>
                  </li>
                ))}
              </ul>
            </nav>
            <ReadOnlyNote />
            <div class="tab-body" data-tab={current.path}>
              <Tab site={answer.body} answer={answer} reloadSite={reload} onSite={setFresh} />
            </div>
          </>
          );
        }}
      </Loaded>
    </div>
  );
}
