// The widget designer's live preview: a page that runs the real widget script (the
// /v1/widget.js a customer's pages load) in a sandboxed frame, fed with the settings as
// they stand in the form, before they are saved.
//
// The script takes no config object: it fetches GET /v1/sites/{key}/config, which answers
// only pages on the site's own domains, never the dashboard. So the frame's fetch answers
// that one request with the config the form describes (in the shape the widget function
// serves: ringback/callbacks/offer.py public_config), and sends nothing else: a callback
// asked for in the preview is answered "received" without reaching anyone.
import { DAYS, type Hours, type Widget } from "./model";

export interface CountryChoice {
  code: string;
  dial: string;
  lengths: number[];
  example: string;
}

export interface PreviewInput {
  scriptUrl: string;
  siteKey: string;
  widget: Widget;
  countries: CountryChoice[];
  // Off hours: the widget offers the next openings instead of calling now.
  closed: { nextOpeningLocal: string; slots: { at: number; label: string }[] } | null;
  popupOpen: boolean;
  language: string;
}

// The `callback` block the widget reads, as the config route would serve it.
export function callbackConfig(input: Pick<PreviewInput, "widget" | "countries" | "closed">) {
  const { widget, countries, closed } = input;
  return {
    enabled: true,
    locale: widget.locale || "auto",
    theme: widget.theme ?? {},
    triggers: widget.triggers ?? {},
    // Targeting is about the visitor's page; the preview is no page of the site.
    targeting: {},
    viewerCountry: null,
    open: !closed,
    nextOpening: closed?.slots[0]?.at ?? null,
    nextOpeningLocal: closed?.nextOpeningLocal ?? null,
    slots: closed?.slots ?? [],
    countries,
    defaultCountry: countries[0]?.code ?? "US",
  };
}

// JSON inside <script>: nothing in it can close the element.
function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, "\\u003c").replace(/\u2028/g, "\\u2028").replace(/\u2029/g, "\\u2029");
}

function attr(value: string): string {
  return value.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;");
}

// The frame's whole document (iframe srcdoc).
export function previewDocument(input: PreviewInput): string {
  const config = { siteKey: input.siteKey, callback: callbackConfig(input) };
  const shim = `(function () {
  var CONFIG = ${scriptJson(config)}, OPEN = ${input.popupOpen ? "true" : "false"};
  function answer(body, status) {
    return Promise.resolve(new Response(JSON.stringify(body), { status: status || 200, headers: { "Content-Type": "application/json" } }));
  }
  window.fetch = function (url, init) {
    var path = new URL(String(url), location.href).pathname, method = (init && init.method) || "GET";
    if (method === "GET" && /\\/v1\\/sites\\/[^/]+\\/config$/.test(path)) return answer(CONFIG);
    if (/\\/v1\\/callbacks(\\/|$)/.test(path)) return answer({ requestId: "preview", status: "accepted" }, method === "POST" ? 201 : 200);
    return Promise.reject(new TypeError("the preview sends nothing"));
  };
  // The designer types beside the frame: the widget may take focus only once the visitor
  // (here, the designer) is in the frame.
  var focus = HTMLElement.prototype.focus;
  HTMLElement.prototype.focus = function () { if (document.hasFocus()) return focus.apply(this, arguments); };
  function tell() {
    var w = window.__ringback && window.__ringback.widget;
    parent.postMessage({ ringbackPreview: true, state: w ? w.state : "loading", reason: w && (w.reason || w.error) || null }, "*");
  }
  var tries = 0;
  (function wait() {
    var w = window.__ringback && window.__ringback.widget;
    if (w && w.state === "ready") { if (OPEN) w.open(); return tell(); }
    if (w && w.state !== "loading") return tell();
    if (tries++ < 400) setTimeout(wait, 25); else tell();
  })();
  window.addEventListener("error", function (e) {
    if (e.target && e.target.tagName === "SCRIPT") parent.postMessage({ ringbackPreview: true, state: "failed", reason: "script" }, "*");
  }, true);
})();`;
  return `<!doctype html>
<html lang="${attr(input.language)}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Widget preview</title>
<style>body{margin:0;padding:24px;font:15px/1.5 system-ui,sans-serif;color:#4a5368;background:#f5f6fa;min-height:160vh}
.page{max-width:34rem}.bar{height:12px;border-radius:6px;background:#dfe3ec;margin:0 0 12px}.bar.short{width:60%}.bar.title{height:22px;width:45%;background:#c9cfdb}</style>
<script>${shim}</script></head>
<body><div class="page" aria-hidden="true"><div class="bar title"></div><div class="bar"></div><div class="bar"></div><div class="bar short"></div><div class="bar"></div><div class="bar short"></div></div>
<script async src="${attr(input.scriptUrl)}" data-site-key="${attr(input.siteKey)}"></script>
</body></html>`;
}

// Where a site's pages load the widget from: beside the swap script its snippet names.
export function widgetScriptUrl(snippet: string): string | null {
  const src = /src="([^"]+)\/v1\/swap\.js"/.exec(snippet);
  return src ? `${src[1].replace(/&amp;/g, "&")}/v1/widget.js` : null;
}

// ---- off hours: the site's next openings, in its own time (ringback/hours.py) ----

function minutes(hhmm: string): number {
  const [h, m] = hhmm.split(":").map(Number);
  return h * 60 + m;
}

function localOf(ms: number, zone: string): { day: number; minute: number; hhmm: string; weekday: string } {
  const parts = new Intl.DateTimeFormat("en-US", { timeZone: zone, weekday: "short", hour: "2-digit", minute: "2-digit", hourCycle: "h23" })
    .formatToParts(new Date(ms));
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? "";
  const weekday = get("weekday");
  const hhmm = `${get("hour")}:${get("minute")}`;
  return { day: ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"].indexOf(weekday), minute: minutes(hhmm), hhmm, weekday };
}

export function isOpenAt(hours: Hours, zone: string, ms: number): boolean {
  if (Object.keys(hours).length === 0) return true;
  const local = localOf(ms, zone);
  const today = DAYS[local.day], yesterday = DAYS[(local.day + 6) % 7];
  for (const [a, b] of hours[today] ?? []) {
    const s = minutes(a), e = minutes(b);
    if (s < e ? s <= local.minute && local.minute < e : local.minute >= s) return true;
  }
  return (hours[yesterday] ?? []).some(([a, b]) => minutes(b) < minutes(a) && local.minute < minutes(b));
}

// Up to `count` next openings within a week, as the widget offers them ("Mon 09:00").
export function nextOpenings(hours: Hours, zone: string, now: number, count = 6): { at: number; label: string }[] {
  if (Object.keys(hours).length === 0) return [];
  const step = 5 * 60_000;
  const out: { at: number; label: string }[] = [];
  let at = Math.ceil(now / step) * step;
  let wasOpen = isOpenAt(hours, zone, at - step);
  for (let i = 0; i < 7 * 24 * 12 && out.length < count; i++, at += step) {
    const open = isOpenAt(hours, zone, at);
    if (open && !wasOpen) {
      const local = localOf(at, zone);
      out.push({ at, label: `${local.weekday} ${local.hhmm}` });
    }
    wasOpen = open;
  }
  return out;
}
