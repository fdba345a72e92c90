// What the site editors share: a versioned read (the ETag an update sends back), a save
// that explains a 412 and reloads, read-only for viewers, an inline confirmation, and an
// ordered list the keyboard can reorder.
import type { ComponentChildren } from "preact";
import { useRef, useState } from "preact/hooks";
import { type Answer, ApiError, type Api } from "../../../api";
import { useSession } from "../../../session";
import { useResource, type Resource } from "../../../ui/resource";
import { Outcome } from "../../../ui/states";


// GET with its ETag; an editor is keyed on the ETag, so a reload after a save or a
// conflict shows the stored values.
export function useVersioned<T>(path: string): Resource<Answer<T>> {
  return useResource((api) => api.request<T>("GET", path), [path]);
}

export interface Saver {
  busy: boolean;
  error: unknown;
  saved: boolean;
  run: (work: (api: Api) => Promise<unknown>) => Promise<boolean>;
  reset: () => void;
}

// One form's save: busy while it runs, its outcome in words; a 412 (someone changed the
// site meanwhile) reloads the stored version through `onConflict`, keeping the message.
export function useSaver(onConflict?: () => void): Saver {
  const { api, t } = useSession();
  const [state, setState] = useState<{ busy: boolean; error: unknown; saved: boolean }>({ busy: false, error: null, saved: false });
  const run = async (work: (api: Api) => Promise<unknown>) => {
    setState({ busy: true, error: null, saved: false });
    try {
      await work(api);
      setState({ busy: false, error: null, saved: true });
      return true;
    } catch (error) {
      setState({ busy: false, error: explained(error, t), saved: false });
      if (error instanceof ApiError && error.status === 412) onConflict?.();
      return false;
    }
  };
  return { ...state, run, reset: () => setState({ busy: false, error: null, saved: false }) };
}

// The save button and what came of the save.
export function SaveBar({ saver, label }: { saver: Saver; label?: string }) {
  const { t, can } = useSession();
  if (!can("write")) return null;
  return (
    <div class="save-bar">
      <button type="submit" disabled={saver.busy}>{saver.busy ? t("saving") : label ?? t("save")}</button>
      <Outcome error={saver.error} saved={saver.saved} />
    </div>
  );
}

// A form whose fields a viewer sees but cannot change.
export function Editable({ children }: { children: ComponentChildren }) {
  const { can } = useSession();
  return <fieldset class="plain" disabled={!can("write")}>{children}</fieldset>;
}

export function ReadOnlyNote() {
  const { t, can } = useSession();
  return can("write") ? null : <p class="hint readonly">{t("setReadOnly")}</p>;
}

// A destructive action asked twice, inline (no modal to trap focus in): the question with
// Yes/No, focus on "No" and back on the button after.
export function ConfirmButton({ label, question, onConfirm, busy, class: cls = "danger" }: {
  label: string; question: string; onConfirm: () => void; busy?: boolean; class?: string;
}) {
  const { t, can } = useSession();
  const [asking, setAsking] = useState(false);
  const opener = useRef<HTMLButtonElement>(null);
  if (!can("write")) return null;
  if (!asking) {
    return <button type="button" class={cls} ref={opener} disabled={busy} onClick={() => setAsking(true)}>{label}</button>;
  }
  const done = () => {
    setAsking(false);
    requestAnimationFrame(() => opener.current?.focus());
  };
  return (
    <span class="confirm" role="group" aria-label={question}>
      <span>{question}</span>
      <button type="button" class="danger" onClick={() => { setAsking(false); onConfirm(); }}>{t("yes")}</button>
      <button type="button" class="secondary" ref={(b) => b?.focus()} onClick={done}>{t("no")}</button>
    </span>
  );
}

// Up/down buttons for one item of an ordered list; focus follows the item moved.
export function MoveButtons({ index, count, label, onMove }: {
  index: number; count: number; label: string; onMove: (from: number, to: number) => void;
}) {
  const { t, can } = useSession();
  if (!can("write")) return null;
  const move = (to: number, event: Event) => {
    const item = (event.currentTarget as HTMLElement).closest("li");
    onMove(index, to);
    // The item re-renders one place up or down: keep the focus on the same button there.
    const which = (event.currentTarget as HTMLElement).dataset.dir;
    requestAnimationFrame(() => {
      const list = item?.parentElement;
      const target = list?.children[to]?.querySelector<HTMLButtonElement>(`button[data-dir="${which}"]`);
      if (target && !target.disabled) target.focus();
      else list?.children[to]?.querySelector<HTMLButtonElement>("button[data-dir]:not(:disabled)")?.focus();
    });
  };
  return (
    <span class="move">
      <button type="button" class="secondary" data-dir="up" disabled={index === 0} aria-label={t("setMoveUp", { name: label })}
        onClick={(e) => move(index - 1, e)}>↑</button>
      <button type="button" class="secondary" data-dir="down" disabled={index === count - 1} aria-label={t("setMoveDown", { name: label })}
        onClick={(e) => move(index + 1, e)}>↓</button>
    </span>
  );
}

// A labelled field: the label, the control, and an optional hint it is described by.
export function Field({ id, label, hint, children }: { id: string; label: string; hint?: string; children: ComponentChildren }) {
  return (
    <div class="field">
      <label for={id}>{label}</label>
      {children}
      {hint && <p class="hint" id={`${id}-hint`}>{hint}</p>}
    </div>
  );
}

export function Check({ id, label, checked, onChange }: { id: string; label: string; checked: boolean; onChange: (v: boolean) => void }) {
  return (
    <div class="field check">
      <label class="inline" for={id}>
        <input id={id} type="checkbox" checked={checked} onChange={(e) => onChange((e.currentTarget as HTMLInputElement).checked)} />
        {label}
      </label>
    </div>
  );
}

export function value(e: Event): string {
  return (e.currentTarget as HTMLInputElement).value;
}

// The API's refusals this section can name in the user's language; others as the API said.
const KNOWN: Record<string, string> = {
  site_has_numbers: "setErrSiteHasNumbers",
  number_in_use: "setErrNumberInUse",
  number_in_pool: "setErrNumberInPool",
  number_not_bought_here: "setErrNotBoughtHere",
  carrier_not_configured: "setErrNoCarrier",
  caller_id_not_verified: "setErrCallerIdNotVerified",
  caller_id_in_use: "setErrCallerIdInUse",
  no_sms_number: "setErrNoSmsNumber",
  no_operators: "setErrNoOperators",
  no_voice_number: "setErrNoVoiceNumber",
  destination_is_tracking_number: "setErrDestinationIsTracking",
};

export function explained(error: unknown, t: ReturnType<typeof useSession>["t"]): unknown {
  if (error instanceof ApiError && KNOWN[error.code]) {
    return new ApiError(error.status, error.code, t(KNOWN[error.code] as "setErrNoCarrier"));
  }
  return error;
}

// Every time zone the browser knows, with the one stored even when it does not.
export function TimezoneSelect({ id, value: current, onChange }: { id: string; value: string; onChange: (v: string) => void }) {
  const zones = timezones();
  const list = zones.includes(current) ? zones : [current, ...zones];
  return (
    <select id={id} value={current} onChange={(e) => onChange((e.currentTarget as HTMLSelectElement).value)}>
      {list.map((z) => <option key={z} value={z}>{z}</option>)}
    </select>
  );
}

let zoneList: string[] | null = null;
function timezones(): string[] {
  if (!zoneList) {
    const supported = (Intl as unknown as { supportedValuesOf?: (k: string) => string[] }).supportedValuesOf;
    zoneList = supported ? supported("timeZone") : [];
    if (!zoneList.includes("UTC")) zoneList = ["UTC", ...zoneList];
  }
  return zoneList;
}

// Texts that show the widget's or the whisper's own {placeholders}: t() fills every
// {name}, so each is filled with itself.
export function literal(...names: string[]): Record<string, string> {
  return Object.fromEntries(names.map((n) => [n, `{${n}}`]));
}
