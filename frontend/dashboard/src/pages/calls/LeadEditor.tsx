// The lead status, sale value, tags and follow-up of a call, saved over the version read
// (If-Match): when a colleague changed it meanwhile, the API refuses and the page says so.
import { useEffect, useState } from "preact/hooks";
import { ApiError, type Lead } from "../../api";
import { useSession } from "../../session";
import { dateTime, money } from "../../ui/format";
import { Outcome } from "../../ui/states";
import type { VersionedCall } from "./CallPage";
import { LEAD_STATUSES, leadText } from "./words";

const EMPTY: Lead = { status: "new", value: null, currency: null, tags: [], notes: [], updated_by: null, updated_at: null };

export function tagsFrom(text: string): string[] {
  return [...new Set(text.split(",").map((tag) => tag.trim().toLowerCase()).filter(Boolean))];
}

export function LeadEditor({ loaded, onChanged }: { loaded: VersionedCall; onChanged: () => void }) {
  const { t, api, can, language } = useSession();
  const lead = { ...EMPTY, ...loaded.call.lead } as Lead & { follow_up?: string };
  const [status, setStatus] = useState(lead.status);
  const [value, setValue] = useState(lead.value?.toString() ?? "");
  const [tags, setTags] = useState(lead.tags.join(", "));
  const [done, setDone] = useState(lead.follow_up === "done");
  const [state, setState] = useState<{ busy?: boolean; error?: unknown; saved?: boolean }>({});
  useEffect(() => {
    setStatus(lead.status);
    setValue(lead.value?.toString() ?? "");
    setTags(lead.tags.join(", "));
    setDone(lead.follow_up === "done");
  }, [loaded.etag]);
  const editable = can("write");
  const save = async (event: Event) => {
    event.preventDefault();
    setState({ busy: true });
    const change: Record<string, unknown> = { status, tags: tagsFrom(tags), followUp: done ? "done" : "open" };
    if (status === "sale") change.value = value === "" ? null : Number(value);
    try {
      await api.send("PATCH", `/v1/calls/${encodeURIComponent(loaded.call.call_id)}`, { lead: change }, { ifMatch: loaded.etag });
      setState({ saved: true });
      onChanged();
    } catch (error) {
      setState({ error });
      if (error instanceof ApiError && error.status === 412) onChanged();
    }
  };
  return (
    <section class="card" aria-labelledby="lead-title">
      <h2 id="lead-title">{t("leadTitle")}</h2>
      {!editable && <p class="hint">{t("readOnly")}</p>}
      <form onSubmit={save}>
        <fieldset disabled={!editable}>
          <legend>{t("leadStatus")}</legend>
          <div class="choices">
            {LEAD_STATUSES.map((s) => (
              <label class="inline" key={s}>
                <input type="radio" name="lead-status" value={s} checked={status === s} onChange={() => setStatus(s)} />
                {leadText(s, t)}
              </label>
            ))}
          </div>
        </fieldset>
        {status === "sale" && (
          <div class="field">
            <label for="lead-value">{t("saleValue")} ({lead.currency ?? "USD"})</label>
            <input id="lead-value" type="number" min="0" step="0.01" inputMode="decimal" value={value}
              disabled={!editable} onInput={(e) => setValue((e.target as HTMLInputElement).value)} />
          </div>
        )}
        <div class="field">
          <label for="lead-tags">{t("tags")}</label>
          <input id="lead-tags" value={tags} disabled={!editable} aria-describedby="lead-tags-hint"
            onInput={(e) => setTags((e.target as HTMLInputElement).value)} />
          <p id="lead-tags-hint" class="hint">{t("tagsHint")}</p>
        </div>
        <label class="inline field">
          <input type="checkbox" checked={done} disabled={!editable} onChange={(e) => setDone((e.target as HTMLInputElement).checked)} />
          {t("followUpDone")}
        </label>
        {editable && <p><button type="submit" disabled={state.busy}>{state.busy ? t("saving") : t("save")}</button></p>}
        <Outcome error={state.error} saved={state.saved} />
        {lead.updated_by && lead.updated_at && (
          <p class="hint">{t("setBy", { who: lead.updated_by, when: dateTime(lead.updated_at, language) })}
            {lead.status === "sale" && lead.value !== null ? ` · ${money(lead.value, lead.currency, language)}` : ""}</p>
        )}
      </form>
    </section>
  );
}
