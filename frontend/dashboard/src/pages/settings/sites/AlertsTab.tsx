// Who is texted about the site's missed calls and missed callbacks, and which number
// the texts come from (a tracking number of the site that can text).
import { useState } from "preact/hooks";
import type { Answer } from "../../../api";
import { useSession } from "../../../session";
import { phone } from "../../../ui/format";
import { Loaded } from "../../../ui/states";
import { Editable, Field, SaveBar, useSaver, useVersioned, value } from "./kit";
import { joinList, splitList } from "./model";
import type { TabProps } from "./SitePage";

interface Contacts { contacts: { number: string }[]; sender: string | null }

export default function AlertsTab({ site }: TabProps) {
  const path = `/v1/sites/${encodeURIComponent(site.siteId)}/alert-contacts`;
  const contacts = useVersioned<Contacts>(path);
  return <Loaded resource={contacts}>{(answer) => <AlertsForm key={answer.etag} path={path} answer={answer} reload={contacts.reload} />}</Loaded>;
}

function AlertsForm({ path, answer, reload }: { path: string; answer: Answer<Contacts>; reload: () => void }) {
  const { t } = useSession();
  const [text, setText] = useState(joinList(answer.body.contacts.map((c) => c.number), "\n"));
  const [sender, setSender] = useState(answer.body.sender);
  const [etag, setEtag] = useState(answer.etag);
  const saver = useSaver(reload);
  const submit = (event: Event) => {
    event.preventDefault();
    saver.run(async (api) => {
      const saved = await api.send<Contacts>("PUT", path, { contacts: splitList(text).map((number) => ({ number })) }, { ifMatch: etag });
      setText(joinList(saved.body.contacts.map((c) => c.number), "\n"));
      setSender(saved.body.sender);
      setEtag(saved.etag);
    });
  };
  return (
    <form class="card" onSubmit={submit} aria-labelledby="alerts-title">
      <h3 id="alerts-title">{t("setAlertsTitle")}</h3>
      <p>{t("setAlertsExplain")}</p>
      <Editable>
        <Field id="al-numbers" label={t("setAlertNumbers")} hint={t("setAlertNumbersHint")}>
          <textarea id="al-numbers" rows={4} value={text} aria-describedby="al-numbers-hint" onInput={(e) => { saver.reset(); setText(value(e)); }} />
        </Field>
      </Editable>
      <p class="hint">{sender ? t("setAlertSender", { number: phone(sender) }) : t("setAlertNoSender")}</p>
      <SaveBar saver={saver} />
    </form>
  );
}
