// A call's recordings, played in the page: the API gives short-lived links on request, so
// they are fetched when the user asks to listen, not with every call.
import { useState } from "preact/hooks";
import type { Call } from "../../api";
import { useSession } from "../../session";
import { errorText } from "../../ui/states";

export function Recording({ call }: { call: Call }) {
  const { t, api } = useSession();
  const [urls, setUrls] = useState<string[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  if (!call.recordings || Object.keys(call.recordings).length === 0) return <p class="hint">{t("noRecording")}</p>;
  if (urls) {
    return (
      <div class="recordings">
        {urls.map((url, i) => (
          <audio key={url} controls preload="metadata" src={url} aria-label={t("recordingOf", { n: i + 1 })} />
        ))}
      </div>
    );
  }
  return (
    <>
      <button type="button" class="secondary" disabled={busy} onClick={async () => {
        setBusy(true);
        setError(null);
        try {
          const answer = await api.get<{ urls: string[] }>(`/v1/calls/${encodeURIComponent(call.call_id)}/recordings`);
          setUrls(answer.urls);
        } catch (e) {
          setError(e);
        } finally {
          setBusy(false);
        }
      }}>▶ {t("loadRecording")}</button>
      {error ? <p role="alert" class="error">{errorText(error, t)}</p> : null}
    </>
  );
}
