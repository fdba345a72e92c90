// The account's verified caller IDs (its office line, say), which a site's callbacks may
// show instead of a tracking number. Verifying one: the carrier calls the number and
// whoever answers keys in the code shown here, once.
import { useState } from "preact/hooks";
import { useSession } from "../../../session";
import { dateTime, phone } from "../../../ui/format";
import { useResource } from "../../../ui/resource";
import { Empty, Loaded, Outcome } from "../../../ui/states";
import { ConfirmButton, Field, useSaver, value } from "./kit";
import { numberPath } from "./model";

interface CallerId { number: string; friendlyName: string | null; status: "verified" | "pending" | "failed"; startedAt?: number }

const TONE = { verified: "ok", pending: "warn", failed: "danger" } as const;

export default function CallerIdsTab() {
  const { t, language, can } = useSession();
  const [code, setCode] = useState<{ number: string; code: string } | null>(null);
  // While a verification call is under way, the list follows it.
  const ids = useResource((api) => api.get<{ callerIds: CallerId[] }>("/v1/caller-ids"), [code?.code], code ? 3000 : undefined);
  const [number, setNumber] = useState("");
  const [name, setName] = useState("");
  const starter = useSaver();
  const remover = useSaver(ids.reload);
  const start = (event: Event) => {
    event.preventDefault();
    starter.run(async (api) => {
      const started = (await api.send<{ number: string; validationCode: string }>("POST", "/v1/caller-ids",
        { number: number.trim(), ...(name.trim() ? { friendlyName: name.trim() } : {}) })).body;
      setCode({ number: started.number, code: started.validationCode });
      setNumber("");
      setName("");
    });
  };
  return (
    <>
      <section class="card" aria-labelledby="cid-title">
        <h3 id="cid-title">{t("setCallerIdsTitle")}</h3>
        <p class="hint">{t("setCallerIdsHint")}</p>
        <Loaded resource={ids}>
          {({ callerIds }) => callerIds.length === 0 ? <Empty><p>{t("setNoCallerIds")}</p></Empty> : (
            <table class="stack">
              <thead><tr><th scope="col">{t("setNumber")}</th><th scope="col">{t("setFriendlyName")}</th><th scope="col">{t("setStatus")}</th>
                <th scope="col"><span class="visually-hidden">{t("setActions")}</span></th></tr></thead>
              <tbody>
                {callerIds.map((c) => (
                  <tr key={c.number} data-caller-id={c.number}>
                    <td data-label={t("setNumber")}>{phone(c.number)}</td>
                    <td data-label={t("setFriendlyName")}>{c.friendlyName ?? "–"}</td>
                    <td data-label={t("setStatus")}><span class={`tag ${TONE[c.status]}`}>{t(`setCid_${c.status}` as "setCid_verified")}</span>
                      {c.startedAt ? <span class="muted"> {dateTime(c.startedAt, language)}</span> : null}</td>
                    <td data-label={t("setActions")}>
                      {c.status === "verified" && (
                        <ConfirmButton label={t("delete")} question={t("setDeleteCallerIdQ", { number: phone(c.number) })} busy={remover.busy}
                          onConfirm={() => remover.run((api) => api.send("DELETE", `/v1/caller-ids/${numberPath(c.number)}`)).then((ok) => ok && ids.reload())} />
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </Loaded>
        <Outcome error={remover.error} />
      </section>
      {can("write") && (
        <form class="card" onSubmit={start} aria-labelledby="verify-title">
          <h3 id="verify-title">{t("setVerifyTitle")}</h3>
          <div class="row">
            <Field id="cid-number" label={t("setNumber")} hint={t("setCallerIdFormat")}>
              <input id="cid-number" type="tel" required placeholder="+14155550142" value={number} aria-describedby="cid-number-hint" onInput={(e) => setNumber(value(e))} />
            </Field>
            <Field id="cid-name" label={t("setFriendlyName")}>
              <input id="cid-name" maxLength={64} value={name} onInput={(e) => setName(value(e))} />
            </Field>
          </div>
          <div class="save-bar">
            <button type="submit" disabled={starter.busy}>{starter.busy ? t("saving") : t("setVerify")}</button>
            <Outcome error={starter.error} />
          </div>
          {code && (
            <div class="verify-code" role="status">
              <p>{t("setVerifyCall", { number: phone(code.number) })}</p>
              <p class="code" aria-label={t("setVerifyCodeLabel")}>{code.code}</p>
            </div>
          )}
        </form>
      )}
    </>
  );
}
