// The signed-in dashboard: who the user is, which account is shown, the navigation, and
// the page the address names.
import type { ComponentChildren } from "preact";
import { LocationProvider, useLocation } from "preact-iso";
import { useEffect, useMemo, useState } from "preact/hooks";
import { Api } from "./api";
import type { Auth } from "./auth/cognito";
import { AuthPages } from "./auth/pages";
import type { DashboardConfig } from "./config";
import { LANGUAGES, type Language, languageOf, translator } from "./i18n";
import { Pages } from "./routes";
import { type Client, type Me, type Session, SessionContext, TextsContext, permissionsOf, useSession } from "./session";
import { Failed, Loading } from "./ui/states";

const LANGUAGE_STORE = "ringback:language";
const TENANT_STORE = "ringback:tenant";

function initialLanguage(): Language {
  const chosen = localStorage.getItem(LANGUAGE_STORE);
  if (chosen === "en" || chosen === "ru") return chosen;
  return languageOf(navigator.languages ?? [navigator.language]);
}

export function App({ config, auth }: { config: DashboardConfig; auth: Auth }) {
  const [language, setLanguageState] = useState<Language>(initialLanguage);
  const [signedIn, setSignedIn] = useState<boolean | null>(null);
  const t = useMemo(() => translator(language), [language]);
  const setLanguage = (next: Language) => {
    localStorage.setItem(LANGUAGE_STORE, next);
    setLanguageState(next);
  };
  useEffect(() => { document.documentElement.lang = language; }, [language]);
  useEffect(() => { auth.idToken().then((token) => setSignedIn(token !== null)); }, [auth]);

  if (signedIn === null) return <main id="main"><p role="status" class="state loading">…</p></main>;
  return (
    <TextsContext.Provider value={{ t, language }}>
    <LocationProvider>
      {signedIn
        ? <SignedIn config={config} auth={auth} t={t} language={language} setLanguage={setLanguage}
            onSignOut={() => { auth.signOut(); sessionStorage.removeItem(TENANT_STORE); setSignedIn(false); }} />
        : <AuthPages auth={auth} t={t} onSignedIn={() => setSignedIn(true)}
            language={language} setLanguage={setLanguage} />}
    </LocationProvider>
    </TextsContext.Provider>
  );
}

interface SignedInProps {
  config: DashboardConfig;
  auth: Auth;
  t: ReturnType<typeof translator>;
  language: Language;
  setLanguage: (language: Language) => void;
  onSignOut: () => void;
}

function SignedIn({ config, auth, t, language, setLanguage, onSignOut }: SignedInProps) {
  const [tenant, setTenantState] = useState<string | null>(() => sessionStorage.getItem(TENANT_STORE));
  const [me, setMe] = useState<{ me: Me; clients: Client[] } | { error: Error } | null>(null);
  const [generation, setGeneration] = useState(0);
  // The client of requests: tenant read at request time, so a switch applies at once.
  const api = useMemo(() => new Api(() => auth.idToken(), () => sessionStorage.getItem(TENANT_STORE), config.apiUrl ?? ""), [auth, config]);

  useEffect(() => {
    (async () => {
      try {
        // The account shown stays as it is while /v1/me is read again (a refresh after a
        // rename): pages polling meanwhile keep asking for the same account.
        const who = await api.get<Me>("/v1/me");
        const home = who.memberships[0];
        const agency = who.memberships.find((m) => m.kind === "agency");
        const clients = agency
          ? (await new Api(() => auth.idToken(), () => agency.tenantId, config.apiUrl ?? "").get<{ clients: Client[] }>("/v1/clients")).clients
          : [];
        const stored = tenant && (who.memberships.some((m) => m.tenantId === tenant) || clients.some((c) => c.tenantId === tenant)) ? tenant : home?.tenantId ?? null;
        if (stored) sessionStorage.setItem(TENANT_STORE, stored);
        setTenantState(stored);
        setMe({ me: who, clients });
      } catch (error) {
        if ((error as { status?: number }).status === 401) onSignOut();
        else setMe({ error: error as Error });
      }
    })();
  }, [api, generation]);

  if (me === null) return <main id="main"><Loading label={t("loadingPage")} /></main>;
  if ("error" in me) {
    return <main id="main"><Failed error={me.error} onRetry={() => setGeneration((g) => g + 1)} /></main>;
  }
  if (!tenant) return <main id="main"><p class="state empty">{t("noAccount")}</p></main>;
  // An agency's client is acted in with the agency's own membership (its role applies).
  const membership = me.me.memberships.find((m) => m.tenantId === tenant)
    ?? me.me.memberships.find((m) => m.kind === "agency")!;
  const permissions = permissionsOf(membership.role);
  const session: Session = {
    api, me: me.me, tenant, membership, clients: me.clients, t, language, setLanguage, signOut: onSignOut,
    refresh: () => setGeneration((g) => g + 1),
    setTenant: (next) => { sessionStorage.setItem(TENANT_STORE, next); setTenantState(next); },
    can: (permission) => permissions.has(permission),
  };
  return (
    <SessionContext.Provider value={session}>
      <Shell><Pages /></Shell>
    </SessionContext.Provider>
  );
}

const NAV: { href: string; label: Parameters<ReturnType<typeof translator>>[0] }[] = [
  { href: "/app/calls", label: "navCalls" },
  { href: "/app/queue", label: "navQueue" },
  { href: "/app/callbacks", label: "navCallbacks" },
  { href: "/app/reports", label: "navReports" },
  { href: "/app/settings", label: "navSettings" },
  { href: "/app/start", label: "navOnboarding" },
];

function Shell({ children }: { children: ComponentChildren }) {
  const { t, me, tenant, clients, setTenant, language, setLanguage, signOut } = useSession();
  const { path } = useLocation();
  const accounts = [
    ...me.memberships.map((m) => ({ tenantId: m.tenantId, name: m.kind === "agency" ? t("ownAccount", { name: m.name }) : m.name })),
    ...clients.filter((c) => !me.memberships.some((m) => m.tenantId === c.tenantId)),
  ];
  useEffect(() => {
    // A new page moves focus to its heading, so a screen reader announces where it is.
    const heading = document.getElementById("page-title");
    heading?.focus({ preventScroll: true });
  }, [path]);
  return (
    <>
      <a class="skip" href="#main">{t("skipToContent")}</a>
      <header class="top">
        <a class="brand" href="/app/calls">{t("appName")}</a>
        <nav aria-label={t("mainNav")}>
          <ul>
            {NAV.map((item) => {
              const current = path === item.href || path.startsWith(item.href + "/");
              return <li key={item.href}><a href={item.href} aria-current={current ? "page" : undefined}>{t(item.label)}</a></li>;
            })}
          </ul>
        </nav>
        <div class="who">
          {accounts.length > 1 && (
            <label class="inline">
              <span>{t("client")}</span>
              <select value={tenant} onChange={(e) => setTenant((e.target as HTMLSelectElement).value)} data-testid="tenant-switcher">
                {accounts.map((a) => <option key={a.tenantId} value={a.tenantId}>{a.name}</option>)}
              </select>
            </label>
          )}
          <label class="inline">
            <span class="visually-hidden">{t("language")}</span>
            <select value={language} onChange={(e) => setLanguage((e.target as HTMLSelectElement).value as Language)}>
              {LANGUAGES.map((l) => <option key={l} value={l}>{l === "en" ? "English" : "Русский"}</option>)}
            </select>
          </label>
          <span class="email">{me.user?.email}</span>
          <button type="button" class="link" onClick={signOut}>{t("signOut")}</button>
        </div>
      </header>
      <main id="main" tabIndex={-1}>{children}</main>
    </>
  );
}

