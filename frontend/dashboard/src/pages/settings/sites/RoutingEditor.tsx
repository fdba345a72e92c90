// Where a call to a tracking number goes: the destinations (rung all at once, or one after
// another in the order shown: a hunt group), for how long, what the person answering
// hears first (whisper), whether the call is recorded, voicemail, and off hours.
import { useState } from "preact/hooks";
import { useSession } from "../../../session";
import { phone } from "../../../ui/format";
import { Check, Editable, Field, MoveButtons, literal, value } from "./kit";
import { type Routing, moved } from "./model";

// The form's state is the API's body: it is sent as it stands.
export function RoutingFields({ id, routing, onChange }: { id: string; routing: Routing; onChange: (r: Routing) => void }) {
  const { t, can } = useSession();
  const [adding, setAdding] = useState("");
  const set = (part: Partial<Routing>) => onChange({ ...routing, ...part });
  const add = () => {
    if (!adding.trim()) return;
    // Written the way the API stores it, so the list reads alike before and after a save.
    set({ destinations: [...routing.destinations, adding.trim().replace(/[\s().-]/g, "")] });
    setAdding("");
  };
  return (
    <Editable>
      <fieldset>
        <legend>{t("setDestinations")}</legend>
        <p class="hint">{t("setDestinationsHint")}</p>
        {routing.destinations.length === 0 ? <p class="muted">{t("setNoDestinations")}</p> : (
          <ol class="rule-order destinations">
            {routing.destinations.map((d, i) => (
              <li key={`${d}-${i}`}>
                <span class="rank" aria-hidden="true">{i + 1}</span>
                <span class="what"><strong>{phone(d)}</strong></span>
                <MoveButtons index={i} count={routing.destinations.length} label={phone(d)}
                  onMove={(a, b) => set({ destinations: moved(routing.destinations, a, b) })} />
                {can("write") && (
                  <button type="button" class="link" aria-label={t("setRemoveNamed", { name: phone(d) })}
                    onClick={() => set({ destinations: routing.destinations.filter((_, j) => j !== i) })}>{t("setRemove")}</button>
                )}
              </li>
            ))}
          </ol>
        )}
        {can("write") && routing.destinations.length < 10 && (
          <div class="add-row">
            <label for={`${id}-add`} class="visually-hidden">{t("setAddDestination")}</label>
            <input id={`${id}-add`} type="tel" inputMode="tel" placeholder="+1 415 555 0199" value={adding}
              onInput={(e) => setAdding(value(e))} onKeyDown={(e) => { if (e.key === "Enter") { e.preventDefault(); add(); } }} />
            <button type="button" class="secondary" onClick={add}>{t("setAddDestination")}</button>
          </div>
        )}
        <div class="row">
          <Field id={`${id}-strategy`} label={t("setStrategy")}>
            <select id={`${id}-strategy`} value={routing.strategy} onChange={(e) => set({ strategy: value(e) as Routing["strategy"] })}>
              <option value="all_at_once">{t("setStrategy_all_at_once")}</option>
              <option value="in_order">{t("setStrategy_in_order")}</option>
            </select>
          </Field>
          <Field id={`${id}-ring`} label={t("setRingSeconds")}>
            <input id={`${id}-ring`} type="number" min={5} max={120} class="short" value={routing.ringSeconds}
              onInput={(e) => set({ ringSeconds: Number(value(e)) })} />
          </Field>
        </div>
      </fieldset>
      <fieldset>
        <legend>{t("setWhisper")}</legend>
        <Check id={`${id}-whisper`} label={t("setWhisperOn")} checked={routing.whisper.enabled}
          onChange={(enabled) => set({ whisper: { ...routing.whisper, enabled } })} />
        <Field id={`${id}-whisper-text`} label={t("setWhisperText")} hint={t("setWhisperHint", literal("source", "medium", "campaign", "keyword", "landing_page", "site", "summary"))}>
          <input id={`${id}-whisper-text`} maxLength={300} value={routing.whisper.text ?? ""} aria-describedby={`${id}-whisper-text-hint`}
            onInput={(e) => set({ whisper: { ...routing.whisper, text: value(e) } })} />
        </Field>
      </fieldset>
      <fieldset>
        <legend>{t("setRecording")}</legend>
        <Check id={`${id}-rec`} label={t("setRecordingOn")} checked={routing.recording.enabled}
          onChange={(enabled) => set({ recording: { ...routing.recording, enabled } })} />
        <Field id={`${id}-rec-notice`} label={t("setRecordingNotice")} hint={t("setRecordingNoticeHint")}>
          <input id={`${id}-rec-notice`} maxLength={300} value={routing.recording.notice ?? ""} aria-describedby={`${id}-rec-notice-hint`}
            onInput={(e) => set({ recording: { ...routing.recording, notice: value(e) } })} />
        </Field>
        <Check id={`${id}-vm`} label={t("setVoicemailOn")} checked={routing.voicemail.enabled}
          onChange={(enabled) => set({ voicemail: { ...routing.voicemail, enabled } })} />
        <Field id={`${id}-vm-prompt`} label={t("setVoicemailPrompt")}>
          <input id={`${id}-vm-prompt`} maxLength={300} value={routing.voicemail.prompt ?? ""}
            onInput={(e) => set({ voicemail: { ...routing.voicemail, prompt: value(e) } })} />
        </Field>
      </fieldset>
      <fieldset>
        <legend>{t("setOffHours")}</legend>
        <p class="hint">{t("setOffHoursHint")}</p>
        <div class="row">
          <Field id={`${id}-off`} label={t("setOffHoursAction")}>
            <select id={`${id}-off`} value={routing.offHours.action}
              onChange={(e) => set({ offHours: { ...routing.offHours, action: value(e) as Routing["offHours"]["action"] } })}>
              <option value="voicemail">{t("setOff_voicemail")}</option>
              <option value="forward">{t("setOff_forward")}</option>
              <option value="hangup">{t("setOff_hangup")}</option>
            </select>
          </Field>
          {routing.offHours.action === "forward" && (
            <Field id={`${id}-off-number`} label={t("setForwardTo")}>
              <input id={`${id}-off-number`} type="tel" required value={routing.offHours.number ?? ""}
                onInput={(e) => set({ offHours: { ...routing.offHours, number: value(e) } })} />
            </Field>
          )}
        </div>
        <Field id={`${id}-off-prompt`} label={t("setOffHoursPrompt")}>
          <input id={`${id}-off-prompt`} maxLength={300} value={routing.offHours.prompt ?? ""}
            onInput={(e) => set({ offHours: { ...routing.offHours, prompt: value(e) } })} />
        </Field>
      </fieldset>
    </Editable>
  );
}

// The body PUT routing takes: empty texts left out (the API's defaults speak then), the
// off-hours number only when forwarding.
export function routingBody(r: Routing): Record<string, unknown> {
  const text = (v: string | undefined) => (v && v.trim() ? v.trim() : undefined);
  const off: Record<string, unknown> = { action: r.offHours.action };
  if (r.offHours.action === "forward") off.number = r.offHours.number ?? "";
  if (text(r.offHours.prompt)) off.prompt = text(r.offHours.prompt);
  return {
    destinations: r.destinations, strategy: r.strategy, ringSeconds: r.ringSeconds,
    whisper: { enabled: r.whisper.enabled, ...(text(r.whisper.text) ? { text: text(r.whisper.text) } : {}) },
    recording: { enabled: r.recording.enabled, ...(text(r.recording.notice) ? { notice: text(r.recording.notice) } : {}) },
    voicemail: { enabled: r.voicemail.enabled, ...(text(r.voicemail.prompt) ? { prompt: text(r.voicemail.prompt) } : {}) },
    offHours: off,
  };
}
