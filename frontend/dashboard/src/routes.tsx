// Which page each address shows. Every area but the calls list loads on first use, so the
// first screen downloads only what it shows.
import { ErrorBoundary, Route, Router, lazy } from "preact-iso";
import CallsPage from "./pages/calls/CallsPage";
import { type AreaTexts, addTexts } from "./i18n";
import { useSession } from "./session";
import { Page } from "./ui/states";

// An area's page, with its texts added before it first renders.
const withTexts = <T,>(page: () => Promise<T>, texts: () => Promise<AreaTexts>) =>
  () => Promise.all([page(), texts().then(addTexts)]).then(([module]) => module);
// A caller's erasure is offered from a call's page and the caller's card (and in settings).
const eraseTexts = () => import("./i18n/erase");
const CallPage = lazy(withTexts(() => import("./pages/calls/CallPage"), eraseTexts));
const CallerPage = lazy(withTexts(() => import("./pages/calls/CallerPage"), eraseTexts));
const QueuePage = lazy(() => import("./pages/calls/QueuePage"));
const callbackTexts = () => import("./i18n/callbacks");
const CallbacksPage = lazy(withTexts(() => import("./pages/callbacks/CallbacksPage"), callbackTexts));
const CallbackPage = lazy(withTexts(() => import("./pages/callbacks/CallbackPage"), callbackTexts));
const ReportsPage = lazy(withTexts(() => import("./pages/reports/ReportsPage"), () => import("./i18n/reports")));
const SettingsPage = lazy(withTexts(() => import("./pages/settings/SettingsPage"), () => import("./i18n/settings")));
const OnboardingPage = lazy(withTexts(() => import("./pages/onboarding/OnboardingPage"), () => import("./i18n/onboarding")));

function NotFound() {
  const { t } = useSession();
  return <Page title={t("notFound")}><p><a href="/app/calls">{t("navCalls")}</a></p></Page>;
}

export function Pages() {
  return (
    <ErrorBoundary>
      <Router>
        <Route path="/app/" component={CallsPage} />
        <Route path="/app/calls" component={CallsPage} />
        <Route path="/app/calls/:id" component={CallPage} />
        <Route path="/app/callers/:number" component={CallerPage} />
        <Route path="/app/queue" component={QueuePage} />
        <Route path="/app/callbacks" component={CallbacksPage} />
        <Route path="/app/callbacks/:id" component={CallbackPage} />
        <Route path="/app/reports" component={ReportsPage} />
        <Route path="/app/reports/:name" component={ReportsPage} />
        <Route path="/app/settings/*" component={SettingsPage} />
        <Route path="/app/settings" component={SettingsPage} />
        <Route path="/app/start" component={OnboardingPage} />
        <Route path="/app/start/:step" component={OnboardingPage} />
        <Route default component={NotFound} />
      </Router>
    </ErrorBoundary>
  );
}
