import { render } from "preact";
import { useEffect, useState } from "preact/hooks";
import { ApiError, type Call, recentCalls } from "./api";
import { explain, sourceOf } from "./explain";
import { languageOf, translator, type Translate } from "./i18n";
import "./style.css";

const KEY_STORE = "ringback:dashboard:key";
const POLL_MS = 2000; // a new call shows within 3 s on an open page

const t = translator(languageOf(navigator.languages ?? [navigator.language]));
document.documentElement.lang = languageOf(navigator.languages ?? [navigator.language]);

function App() {
  const [key, setKey] = useState<string | null>(() => sessionStorage.getItem(KEY_STORE));
  if (!key) {
    return <KeyForm onKey={(value) => { sessionStorage.setItem(KEY_STORE, value); setKey(value); }} />;
  }
  return <CallsPage credential={key} t={t} />;
}

function KeyForm({ onKey }: { onKey: (key: string) => void }) {
  const [value, setValue] = useState("");
  return (
    <main>
      <h1>Ringback</h1>
      <form onSubmit={(event) => { event.preventDefault(); if (value.trim()) onKey(value.trim()); }}>
        <label for="key">{t("keyLabel")}</label>
        <input id="key" type="password" autocomplete="off" value={value}
          onInput={(event) => setValue((event.target as HTMLInputElement).value)} aria-describedby="key-hint" />
        <p id="key-hint" class="hint">{t("keyHint")}</p>
        <button type="submit">{t("open")}</button>
      </form>
    </main>
  );
}

type Loaded = { state: "loading" } | { state: "failed"; message: string } | { state: "ready"; calls: Call[] };

function CallsPage({ credential, t }: { credential: string; t: Translate }) {
  const [loaded, setLoaded] = useState<Loaded>({ state: "loading" });
  useEffect(() => {
    let stopped = false;
    let timer: number | undefined;
    const poll = async () => {
      try {
        const { calls } = await recentCalls(credential);
        if (!stopped) setLoaded({ state: "ready", calls });
      } catch (error) {
        if (!stopped) setLoaded({ state: "failed", message: error instanceof ApiError ? error.message : String(error) });
      }
      if (!stopped) timer = window.setTimeout(poll, POLL_MS);
    };
    poll();
    return () => { stopped = true; window.clearTimeout(timer); };
  }, [credential]);

  return (
    <main>
      <h1>{t("title")}</h1>
      {loaded.state === "loading" && <p role="status">{t("loading")}</p>}
      {loaded.state === "failed" && <p role="alert" class="error">{t("failed", { message: loaded.message })}</p>}
      {loaded.state === "ready" && loaded.calls.length === 0 && <p>{t("empty")}</p>}
      {loaded.state === "ready" && loaded.calls.length > 0 && (
        <>
          <p class="hint" aria-live="polite">{t("live")}</p>
          <table>
            <thead><tr><th>{t("when")}</th><th>{t("caller")}</th><th>{t("number")}</th><th>{t("source")}</th><th>{t("status")}</th></tr></thead>
            <tbody>
              {loaded.calls.map((call) => (
                <tr key={call.call_id} data-call={call.call_id}>
                  <td data-label={t("when")}>{new Date(call.started_at).toLocaleString()}</td>
                  <td data-label={t("caller")}>{call.caller}{call.attribution.first_time_caller ? <span class="tag">{t("firstTime")}</span> : null}</td>
                  <td data-label={t("number")}>{call.tracking_number}</td>
                  <td data-label={t("source")}>
                    <strong>{sourceOf(call.attribution, t)}</strong>
                    <ul class="why">{explain(call.attribution, t).map((line) => <li>{line}</li>)}</ul>
                  </td>
                  <td data-label={t("status")}>{call.status}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </main>
  );
}

render(<App />, document.getElementById("app")!);
