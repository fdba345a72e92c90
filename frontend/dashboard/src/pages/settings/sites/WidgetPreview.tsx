// The live preview: the real widget script in a sandboxed frame (scripts and its own form
// only: no access to the dashboard, its storage or its token), rebuilt a moment after each
// change to the form. See preview.ts for how it is fed the unsaved settings.
import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import { useSession } from "../../../session";
import type { Hours, Widget } from "./model";
import { type CountryChoice, nextOpenings, previewDocument } from "./preview";

const SETTLE_MS = 400;
// The widget turns into a bottom sheet under 600 px: the desktop preview is a wider page,
// scaled down to the column; the phone preview is a phone's width, as it is.
const DESKTOP_WIDTH = 640;
const PHONE_WIDTH = 360;
const HEIGHT = 600;

export default function WidgetPreview({ widget, scriptUrl, siteKey, countryCodes, hours, timezone }: {
  widget: Widget; scriptUrl: string; siteKey: string; countryCodes: string[]; hours: Hours; timezone: string;
}) {
  const { t, language } = useSession();
  const frame = useRef<HTMLIFrameElement>(null);
  const stage = useRef<HTMLDivElement>(null);
  const [box, setBox] = useState(400);
  const [countries, setCountries] = useState<CountryChoice[] | null>(null);
  const [popupOpen, setPopupOpen] = useState(true);
  const [closed, setClosed] = useState(false);
  const [phoneWidth, setPhoneWidth] = useState(false);
  const [state, setState] = useState<{ state: string; reason: string | null }>({ state: "loading", reason: null });
  const [doc, setDoc] = useState<string | null>(null);
  const alwaysOpen = Object.keys(hours).length === 0;
  const codes = countryCodes.join(",");
  useEffect(() => {
    let live = true;
    import("./phoneMeta").then((m) => live && setCountries(m.countryChoices(countryCodes)));
    return () => { live = false; };
  }, [codes]);
  const offHours = useMemo(() => {
    if (!closed || alwaysOpen) return null;
    const slots = nextOpenings(hours, timezone, Date.now());
    return { slots, nextOpeningLocal: slots[0]?.label.split(" ").pop() ?? "" };
  }, [closed, alwaysOpen, JSON.stringify(hours), timezone]);
  const source = countries && previewDocument({ scriptUrl, siteKey, widget, countries, closed: offHours, popupOpen, language: widget.locale !== "auto" ? widget.locale : language });
  // Rebuilt once the typing settles, not on every key.
  useEffect(() => {
    if (!source) return;
    const timer = window.setTimeout(() => { setState({ state: "loading", reason: null }); setDoc(source); }, doc ? SETTLE_MS : 0);
    return () => window.clearTimeout(timer);
  }, [source]);
  useEffect(() => {
    const element = stage.current;
    if (!element || typeof ResizeObserver === "undefined") return;
    const observer = new ResizeObserver(([entry]) => setBox(Math.floor(entry.contentRect.width)));
    observer.observe(element);
    return () => observer.disconnect();
  }, []);
  const width = phoneWidth ? Math.min(PHONE_WIDTH, box) : Math.max(box, DESKTOP_WIDTH);
  const scale = phoneWidth ? 1 : Math.min(1, box / width);
  useEffect(() => {
    const listen = (event: MessageEvent) => {
      if (event.source !== frame.current?.contentWindow || !event.data?.ringbackPreview) return;
      setState({ state: String(event.data.state), reason: event.data.reason ?? null });
    };
    window.addEventListener("message", listen);
    return () => window.removeEventListener("message", listen);
  }, []);
  return (
    <section class="card preview" aria-labelledby="preview-title">
      <h3 id="preview-title">{t("setPreviewTitle")}</h3>
      <div class="preview-controls">
        <label class="inline"><input type="checkbox" checked={popupOpen} onChange={(e) => setPopupOpen((e.currentTarget as HTMLInputElement).checked)} />{t("setPreviewPopup")}</label>
        <label class="inline"><input type="checkbox" checked={closed} disabled={alwaysOpen} onChange={(e) => setClosed((e.currentTarget as HTMLInputElement).checked)} />{t("setPreviewClosed")}</label>
        <label class="inline"><input type="checkbox" checked={phoneWidth} onChange={(e) => setPhoneWidth((e.currentTarget as HTMLInputElement).checked)} />{t("setPreviewPhone")}</label>
      </div>
      {alwaysOpen && <p class="hint">{t("setPreviewAlwaysOpen")}</p>}
      <div class={`preview-stage ${phoneWidth ? "phone" : ""}`} ref={stage} style={{ height: `${Math.ceil(HEIGHT * scale)}px` }}>
        {doc ? (
          <iframe ref={frame} class="preview-frame" title={t("setPreviewFrame")} sandbox="allow-scripts allow-forms" srcdoc={doc}
            style={{ width: `${width}px`, height: `${HEIGHT}px`, left: `${Math.max(0, Math.floor((box - width * scale) / 2))}px`,
              transform: scale < 1 ? `scale(${scale})` : undefined }} />
        ) : <p class="state loading" role="status">{t("loadingPage")}</p>}
      </div>
      <p class="hint" role="status">
        {state.state === "ready" ? t("setPreviewReady") : state.state === "loading" ? t("setPreviewLoading")
          : t("setPreviewOff", { reason: state.reason ?? state.state })}
      </p>
      <p class="hint">{t("setPreviewHow")}</p>
    </section>
  );
}
