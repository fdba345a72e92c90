// Uploading ad spend (POST /v1/ad-spend, a CSV body) for the cost per call and per lead.
import { useState } from "preact/hooks";
import { useSession } from "../../session";
import { Outcome } from "../../ui/states";
import { dayText } from "./cells";

interface Stored {
  rows: number;
  days: number;
  from: string;
  to: string;
  currency: string;
}

const EXAMPLE = "day,source,medium,campaign,spend,currency,clicks\n2026-03-01,google,cpc,spring-sale,120.50,USD,310";

export function AdSpend({ onStored }: { onStored: () => void }) {
  const { api, t, can, language } = useSession();
  const [file, setFile] = useState<File | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [stored, setStored] = useState<Stored | null>(null);

  const upload = async (e: Event) => {
    e.preventDefault();
    setError(null);
    setStored(null);
    if (!file) { setError(new Error(t("repSpendPick"))); return; }
    setBusy(true);
    try {
      const { body } = await api.send<Stored>("POST", "/v1/ad-spend", await file.text(), { contentType: "text/csv" });
      setStored(body);
      onStored();
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section class="card rep-spend" aria-labelledby="rep-spend-title">
      <h2 id="rep-spend-title">{t("repSpendUpload")}</h2>
      <p class="hint">{t("repSpendColumns")}</p>
      <pre class="rep-example"><code>{EXAMPLE}</code></pre>
      {can("write") ? (
        <form onSubmit={upload} class="rep-spend-form">
          <div class="field">
            <label for="rep-spend-file">{t("repSpendFile")}</label>
            <input id="rep-spend-file" type="file" accept=".csv,text/csv"
              onChange={(e) => setFile((e.target as HTMLInputElement).files?.[0] ?? null)} />
          </div>
          <button type="submit" disabled={busy}>{busy ? t("repSpendSending") : t("repSpendSend")}</button>
          <Outcome error={error} />
          {stored && <p role="status" class="ok">{t("repSpendStored", { ...stored, from: dayText(stored.from, language), to: dayText(stored.to, language) })}</p>}
        </form>
      ) : (
        <p class="hint">{t("repSpendNoWrite")}</p>
      )}
    </section>
  );
}
