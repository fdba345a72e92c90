// The widget designer: every setting of the callback widget, with the real widget beside
// the form showing the settings as they stand, saved or not.
import { useState } from "preact/hooks";
import type { Answer } from "../../../api";
import { useSession } from "../../../session";
import { useResource } from "../../../ui/resource";
import { Failed, Loaded } from "../../../ui/states";
import { Editable, SaveBar, useSaver, useVersioned } from "./kit";
import type { CallbackSettings, Site, Widget } from "./model";
import { widgetScriptUrl } from "./preview";
import type { TabProps } from "./SitePage";
import { LookFields, TargetingFields, TextFields, TriggerFields } from "./WidgetFields";
import WidgetPreview from "./WidgetPreview";

export default function WidgetTab({ site }: TabProps) {
  const base = `/v1/sites/${encodeURIComponent(site.siteId)}`;
  const widget = useVersioned<Widget>(`${base}/widget`);
  const extras = useResource(async (api) => {
    const [snippet, callbacks] = await Promise.all([
      api.get<{ snippet: string }>(`${base}/snippet`), api.get<CallbackSettings>(`${base}/callbacks`)]);
    return { scriptUrl: widgetScriptUrl(snippet.snippet), callbacks };
  }, [base, site.siteKey]);
  return (
    <Loaded resource={widget}>
      {(answer) => (
        <Loaded resource={extras}>
          {(x) => <Designer key={answer.etag} site={site} answer={answer} scriptUrl={x.scriptUrl} callbacks={x.callbacks} reload={widget.reload} />}
        </Loaded>
      )}
    </Loaded>
  );
}

function Designer({ site, answer, scriptUrl, callbacks, reload }: {
  site: Site; answer: Answer<Widget>; scriptUrl: string | null; callbacks: CallbackSettings; reload: () => void;
}) {
  const { t } = useSession();
  const [widget, setWidget] = useState<Widget>(answer.body);
  const [etag, setEtag] = useState(answer.etag);
  const saver = useSaver(reload);
  const change = (w: Widget) => { saver.reset(); setWidget(w); };
  const submit = (event: Event) => {
    event.preventDefault();
    saver.run(async (api) => {
      const saved = await api.send<Widget>("PUT", `/v1/sites/${encodeURIComponent(site.siteId)}/widget`, widget, { ifMatch: etag });
      setEtag(saved.etag);
    });
  };
  const off = !callbacks.enabled;
  return (
    <div class="designer">
      <form class="card designer-form" onSubmit={submit} aria-labelledby="widget-title">
        <h3 id="widget-title">{t("setWidgetTitle")}</h3>
        {off && <p class="tag warn">{t("setWidgetCallbacksOff")}</p>}
        <Editable>
          <LookFields widget={widget} onChange={change} />
          <TextFields widget={widget} onChange={change} />
          <TriggerFields widget={widget} onChange={change} />
          <TargetingFields widget={widget} onChange={change} />
        </Editable>
        <SaveBar saver={saver} />
      </form>
      {scriptUrl
        ? <WidgetPreview widget={widget} scriptUrl={scriptUrl} siteKey={site.siteKey} timezone={site.timezone} hours={site.workingHours ?? {}}
            countryCodes={callbacks.countries.length ? callbacks.countries : [site.country]} />
        : <Failed error={new Error(t("setNoScriptUrl"))} />}
    </div>
  );
}
