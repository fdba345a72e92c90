// The onboarding wizard at /app/start: add the site, copy the snippet, check it is
// installed, buy numbers, place a test call and watch it arrive. /app/start alone opens
// the first step not yet done for the site (derived from the account: model.ts).
import { useLocation, useRoute } from "preact-iso";
import { useEffect, useRef, useState } from "preact/hooks";
import { type Call, query } from "../../api";
import type { TextKey } from "../../i18n";
import { useSession } from "../../session";
import { type Resource, useResource } from "../../ui/resource";
import { Failed, Loaded, Loading, Page } from "../../ui/states";
import { CallStep } from "./CallStep";
import { InstallStep, installPassed } from "./InstallStep";
import {
  STEPS, type Site, type Step, type TrackingNumber, isStep, landingStep, latestCall, progressOf, stepDone,
} from "./model";
import { NumbersStep } from "./NumbersStep";
import { SiteForm, SiteSummary } from "./SiteStep";
import { SnippetStep } from "./SnippetStep";
import "./onboarding.css";

const CALL_POLL_MS = 3000; // the test call shows within a few seconds of the carrier's webhook
const YEAR_MS = 360 * 24 * 3600 * 1000; // the call log reads at most 366 days at once

const TITLES: Record<Step, [TextKey, TextKey]> = {
  site: ["onbStepSite", "onbIntroSite"],
  snippet: ["onbStepSnippet", "onbIntroSnippet"],
  install: ["onbStepInstall", "onbIntroInstall"],
  numbers: ["onbStepNumbers", "onbIntroNumbers"],
  call: ["onbStepCall", "onbIntroCall"],
};

export default function OnboardingPage() {
  const { t } = useSession();
  const sites = useResource((api) => api.get<{ sites: Site[] }>("/v1/sites"));
  return (
    <Page title={t("onbTitle")}>
      <Loaded resource={sites}>{({ sites }) => <Wizard initial={sites} />}</Loaded>
    </Page>
  );
}

// A resource's last value for one key, kept while it reloads, so a purchase's refresh
// does not blank the step the customer is on.
function useKept<T>(resource: Resource<T>, key: string): T | undefined {
  const kept = useRef<{ key: string; value: T } | null>(null);
  if (resource.state === "ready") kept.current = { key, value: resource.value };
  return kept.current?.key === key ? kept.current.value : undefined;
}

function Wizard({ initial }: { initial: Site[] }) {
  const { t, can } = useSession();
  const { params } = useRoute();
  const { query: search, route } = useLocation();
  const [sites, setSites] = useState(initial);
  const [, setChecked] = useState(0);
  const adding = search.new === "1" || sites.length === 0;
  const newest = [...sites].sort((a, b) => b.createdAt - a.createdAt)[0] ?? null;
  const site = adding ? null : sites.find((s) => s.siteId === search.site) ?? newest;
  const asked: Step | undefined = isStep(params.step) ? params.step : undefined;
  const key = site?.siteId ?? "";

  const numbers = useResource((api) => site
    ? api.get<{ numbers: TrackingNumber[] }>(`/v1/sites/${encodeURIComponent(site.siteId)}/numbers`)
    : Promise.resolve({ numbers: [] }), [key]);
  const calls = useResource((api) => site
    ? api.get<{ calls: Call[] }>(`/v1/calls${query({ from: Math.max(site.createdAt, Date.now() - YEAR_MS), limit: 50 })}`)
    : Promise.resolve({ calls: [] }), [key], asked === "call" ? CALL_POLL_MS : undefined);
  const numbersNow = useKept(numbers, key);
  const callsNow = useKept(calls, key);
  const ready = numbersNow !== undefined && callsNow !== undefined;
  const progress = progressOf(site, numbersNow?.numbers ?? [], callsNow?.calls ?? [], site ? installPassed(site.siteId) : false);
  const landing = landingStep(progress);
  const step: Step = !site ? "site" : asked ?? landing;

  const href = (to: Step, target: Site | null = site) =>
    `/app/start/${to}${target ? query({ site: target.siteId }) : ""}`;
  const go = (to: Step, target: Site | null = site) => route(href(to, target));

  useEffect(() => {
    // /app/start alone (or an unknown step): the first step not done, as an address of its own.
    if (ready && !asked && !adding) route(href(landing), true);
  }, [ready, asked, adding, landing, key]);

  if (!ready) {
    const failed = [numbers, calls].find((r) => r.state === "failed");
    return failed && failed.state === "failed" ? <Failed error={failed.error} onRetry={failed.reload} /> : <Loading />;
  }

  const [title, intro] = TITLES[step];
  const upsert = (changed: Site) => setSites((list) => [...list.filter((s) => s.siteId !== changed.siteId), changed]);

  return (
    <div class="onb">
      {sites.length > 1 && !adding && site && (
        <div class="onb-site-pick">
          <label for="onb-site-pick">{t("onbSettingUp")}</label>
          <select id="onb-site-pick" value={site.siteId}
            onChange={(e) => route(`/app/start${query({ site: (e.target as HTMLSelectElement).value })}`)}>
            {sites.map((s) => <option key={s.siteId} value={s.siteId}>{s.name}</option>)}
          </select>
        </div>
      )}
      <nav class="onb-steps" aria-label={t("onbStepsNav")}>
        <ol>
          {STEPS.map((s, i) => {
            const done = stepDone(s, progress);
            const label = <><span class="onb-num" aria-hidden="true">{done ? "✓" : i + 1}</span>
              <span>{t(TITLES[s][0])}</span>{done && <span class="visually-hidden"> ({t("onbDone")})</span>}</>;
            return (
              <li key={s} class={done ? "done" : undefined}>
                {site || s === "site"
                  ? <a href={href(s)} aria-current={s === step ? "step" : undefined}>{label}</a>
                  : <span class="onb-locked">{label}</span>}
              </li>
            );
          })}
        </ol>
      </nav>
      <section class="onb-step" aria-labelledby="onb-step-title" data-step={step}>
        <h2 id="onb-step-title">{t("onbStepOf", { n: STEPS.indexOf(step) + 1, total: STEPS.length, title: t(title) })}</h2>
        <p class="onb-intro">{t(intro)}</p>
        {step === "site" && (site
          ? <SiteSummary site={site} onNext={() => go("snippet")} />
          : can("write")
            ? <SiteForm onCreated={(created) => { upsert(created); go("snippet", created); }} />
            : <p class="state empty">{t("onbReadOnly")}</p>)}
        {step === "snippet" && site && <SnippetStep site={site} onNext={() => go("install")} />}
        {step === "install" && site && (
          <InstallStep site={site} onPassed={() => setChecked((n) => n + 1)} onSiteChanged={upsert}
            onNext={() => go("numbers")} />
        )}
        {step === "numbers" && site && (
          <NumbersStep site={site} numbers={numbersNow.numbers} onBought={numbers.reload} onNext={() => go("call")} />
        )}
        {step === "call" && site && (
          <CallStep site={site} numbers={numbersNow.numbers} call={latestCall(site, callsNow.calls)}
            onNumbers={() => go("numbers")} />
        )}
      </section>
    </div>
  );
}
