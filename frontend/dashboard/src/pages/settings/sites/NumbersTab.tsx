// The site's tracking numbers, static first: each with its kind, the pool it belongs to,
// and the rule that shows it to a visit. A static number's rule is changed here and the
// number released back to the carrier; a pool's numbers follow the pool (Pools & rules).
import { useState } from "preact/hooks";
import { useSession } from "../../../session";
import { phone } from "../../../ui/format";
import { Empty, Loaded, Outcome } from "../../../ui/states";
import BuyNumber from "./BuyNumber";
import { ConfirmButton, SaveBar, useSaver, useVersioned } from "./kit";
import { type TrackingNumber, numberPath, ruleFields, ruleOf, sitePath } from "./model";
import { RuleFields, type RuleForm, ruleSummary } from "./RuleFields";
import type { TabProps } from "./SitePage";

export default function NumbersTab({ site }: TabProps) {
  const { t, can } = useSession();
  const base = `/v1/sites/${encodeURIComponent(site.siteId)}/numbers`;
  const numbers = useVersioned<{ numbers: TrackingNumber[] }>(base);
  const [editing, setEditing] = useState<string | null>(null);
  const [buying, setBuying] = useState(false);
  const releaser = useSaver(numbers.reload);
  const release = (n: TrackingNumber) =>
    releaser.run((api) => api.send("DELETE", `${base}/${numberPath(n.number)}`)).then((ok) => ok && numbers.reload());
  return (
    <section aria-labelledby="numbers-title">
      <div class="section-head">
        <h3 id="numbers-title">{t("setNumbersTitle")}</h3>
        {can("write") && !buying && <button type="button" onClick={() => setBuying(true)}>{t("setBuyNumber")}</button>}
      </div>
      <p class="hint">{t("setNumbersHint")}</p>
      {buying && <BuyNumber site={site} onDone={(bought) => { setBuying(false); if (bought) numbers.reload(); }} />}
      <Outcome error={releaser.error} />
      <Loaded resource={numbers}>
        {({ body, etag }) => body.numbers.length === 0 ? <Empty><p>{t("setNoNumbers")}</p></Empty> : (
          <table class="stack numbers-table">
            <thead><tr>
              <th scope="col">{t("setNumber")}</th><th scope="col">{t("setKind")}</th>
              <th scope="col">{t("setShownTo")}</th><th scope="col">{t("setTexts")}</th>
              <th scope="col"><span class="visually-hidden">{t("setActions")}</span></th>
            </tr></thead>
            <tbody>
              {body.numbers.map((n) => (
                <tr key={n.number} data-number={n.number}>
                  <td data-label={t("setNumber")}><strong>{phone(n.number)}</strong></td>
                  <td data-label={t("setKind")}>
                    {n.kind === "static" ? <span class="tag">{t("setKindStatic")}</span> : (
                      <><span class="tag">{t("setKindPool")}</span> <a href={sitePath(site.siteId, "pools")}>{n.poolName ?? n.poolId}</a></>
                    )}
                  </td>
                  <td data-label={t("setShownTo")}>
                    {editing === n.number
                      ? <ChannelEditor site={site.siteId} number={n} etag={etag} onDone={(changed) => { setEditing(null); if (changed) numbers.reload(); }} onConflict={numbers.reload} />
                      : ruleSummary(n.channel, t)}
                  </td>
                  <td data-label={t("setTexts")}>{n.capabilities.sms ? t("yes") : t("no")}</td>
                  <td data-label={t("setActions")} class="actions">
                    {n.kind === "static" && can("write") && editing !== n.number && (
                      <>
                        <button type="button" class="secondary" aria-label={t("setEditRuleOf", { number: phone(n.number) })}
                          onClick={() => setEditing(n.number)}>{t("setEditRule")}</button>{" "}
                        <ConfirmButton label={t("setRelease")} question={t("setReleaseQ", { number: phone(n.number) })}
                          busy={releaser.busy} onConfirm={() => release(n)} />
                      </>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Loaded>
    </section>
  );
}

function ChannelEditor({ site, number, etag, onDone, onConflict }: {
  site: string; number: TrackingNumber; etag: string | null; onDone: (changed: boolean) => void; onConflict: () => void;
}) {
  const { t } = useSession();
  const saver = useSaver(onConflict);
  const [form, setForm] = useState<RuleForm>(ruleFields(number.channel));
  const submit = async (event: Event) => {
    event.preventDefault();
    const ok = await saver.run((api) => api.send("PATCH", `/v1/sites/${encodeURIComponent(site)}/numbers/${numberPath(number.number)}`,
      { channel: ruleOf(form) }, { ifMatch: etag }));
    if (ok) onDone(true);
  };
  return (
    <form onSubmit={submit} class="inline-editor" aria-label={t("setEditRuleOf", { number: phone(number.number) })}>
      <RuleFields id={`ch-${number.number.replace(/\D/g, "")}`} form={form} onChange={setForm} />
      <div class="save-bar">
        <SaveBar saver={saver} />
        <button type="button" class="secondary" onClick={() => onDone(false)}>{t("cancel")}</button>
      </div>
    </form>
  );
}
