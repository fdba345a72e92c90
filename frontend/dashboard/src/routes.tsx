// Which page each address shows. Every area but the calls list loads on first use, so the
// first screen downloads only what it shows.
import { ErrorBoundary, Route, Router, lazy } from "preact-iso";
import CallsPage from "./pages/calls/CallsPage";
import { type AreaTexts, addTexts } from "./i18n";
import { useSession } from "./session";
import { Page } from "./ui/states";

const CallPage = lazy(() => import("./pages/calls/CallPage"));
const CallerPage = lazy(() => import("./pages/calls/CallerPage"));
const QueuePage = lazy(() => import("./pages/calls/QueuePage"));
// An area's page, with its texts added before it first renders.
const withTexts = <T,>(page: () => Promise<T>, texts: () => Promise<AreaTexts>) =>
  () => Promise.all([page(), texts().then(addTexts)]).then(([module]) => module);
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
