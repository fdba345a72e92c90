import { describe, expect, it } from "vitest";
import type { Widget } from "./model";
import { callbackConfig, isOpenAt, nextOpenings, previewDocument, widgetScriptUrl } from "./preview";

const WIDGET: Widget = {
  triggers: { secondsOnPage: 15, exitIntent: true },
  targeting: { paths: ["/pricing"] },
  theme: { color: "#0b6bcb", position: "left", texts: { en: { title: "Call us </script><b>" } } },
  locale: "en",
};
const US = [{ code: "US", dial: "1", lengths: [10], example: "2015550123" }];

describe("the widget preview", () => {
  it("loads the widget from beside the swap script the snippet names", () => {
    const snippet = '<script src="https://cdn.example.com/v1/swap.js" data-site-key="pk_1" async></script>';
    expect(widgetScriptUrl(snippet)).toBe("https://cdn.example.com/v1/widget.js");
    expect(widgetScriptUrl("<p>nothing</p>")).toBeNull();
  });

  it("serves the unsaved settings as the config route would, without the page targeting", () => {
    const config = callbackConfig({ widget: WIDGET, countries: US, closed: null });
    expect(config.theme).toEqual(WIDGET.theme);
    expect(config.triggers).toEqual(WIDGET.triggers);
    expect(config.targeting).toEqual({});
    expect(config).toMatchObject({ enabled: true, open: true, locale: "en", defaultCountry: "US", countries: US });
    const closed = callbackConfig({ widget: WIDGET, countries: US, closed: { nextOpeningLocal: "09:00", slots: [{ at: 5, label: "Mon 09:00" }] } });
    expect(closed).toMatchObject({ open: false, nextOpening: 5, nextOpeningLocal: "09:00" });
  });

  it("puts the real script in the page and no text of the settings can end the shim's script", () => {
    const html = previewDocument({ scriptUrl: "https://api.example.com/v1/widget.js", siteKey: "pk_\"x", widget: WIDGET, countries: US,
      closed: null, popupOpen: true, language: "en" });
    expect(html).toContain('<script async src="https://api.example.com/v1/widget.js" data-site-key="pk_&quot;x"></script>');
    expect(html).not.toContain("</script><b>");
    expect(html).toContain("Call us \\u003c/script>\\u003cb>");
  });
});

describe("the off-hours preview's openings", () => {
  // Monday 2026-03-02 08:00 in New York is 13:00 UTC.
  const monday8 = Date.UTC(2026, 2, 2, 13, 0);
  const hours = { mon: [["09:00", "17:00"]], tue: [["22:00", "02:00"]] } as const;

  it("reads the working hours in the site's time zone, a range past midnight included", () => {
    const h = hours as unknown as Record<string, [string, string][]>;
    expect(isOpenAt(h, "America/New_York", monday8)).toBe(false);
    expect(isOpenAt(h, "America/New_York", monday8 + 60 * 60_000)).toBe(true);
    // Wednesday 01:00 local: Tuesday's range is still open.
    expect(isOpenAt(h, "America/New_York", monday8 + (41 * 60) * 60_000)).toBe(true);
    expect(isOpenAt({}, "UTC", monday8)).toBe(true);
  });

  it("lists the next range starts, labelled in the site's time", () => {
    const h = hours as unknown as Record<string, [string, string][]>;
    const next = nextOpenings(h, "America/New_York", monday8, 2);
    expect(next.map((s) => s.label)).toEqual(["Mon 09:00", "Tue 22:00"]);
    expect(next[0].at).toBe(monday8 + 60 * 60_000);
    expect(nextOpenings({}, "UTC", monday8)).toEqual([]);
  });
});
