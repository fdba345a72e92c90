// The work queue: missed calls nobody has called back. Calling back from here and marking
// a call done takes it off the list (GET /v1/work-queue decides what is still waiting).
import { useState } from "preact/hooks";
import type { Call } from "../../api";
import { sourceOf } from "../../explain";
import { useSession } from "../../session";
import { dateTime, phone } from "../../ui/format";
import { useResource } from "../../ui/resource";
import { Empty, Loaded, Outcome, Page } from "../../ui/states";
import { statusText } from "./words";

const POLL_MS = 5000;

export default function QueuePage() {
  const { t, language, api, can } = useSession();
  const queue = useResource((client) => client.get<{ calls: Call[]; count: number }>("/v1/work-queue"), [], POLL_MS);
  const [failure, setFailure] = useState<unknown>(null);
  const markDone = async (call: Call) => {
    setFailure(null);
    try {
      const { etag } = await api.request("GET", `/v1/calls/${encodeURIComponent(call.call_id)}`);
      await api.send("PATCH", `/v1/calls/${encodeURIComponent(call.call_id)}`, { lead: { followUp: "done" } }, { ifMatch: etag });
      queue.reload();
    } catch (error) {
      setFailure(error);
    }
  };
  return (
    <Page title={t("queueTitle")}>
      <p class="hint">{t("queueIntro")}</p>
      <Outcome error={failure} />
      <Loaded resource={queue}>
        {({ calls, count }) => calls.length === 0 ? <Empty><p>{t("queueEmpty")}</p></Empty> : (
          <>
            <p role="status"><strong>{t("queueCount", { count })}</strong></p>
            <table class="stack">
              <thead><tr><th scope="col">{t("when")}</th><th scope="col">{t("caller")}</th><th scope="col">{t("source")}</th><th scope="col">{t("status")}</th><th scope="col"><span class="visually-hidden">{t("open")}</span></th></tr></thead>
              <tbody>
                {calls.map((call) => (
                  <tr key={call.call_id} data-call={call.call_id}>
                    <td data-label={t("when")}><a href={`/app/calls/${encodeURIComponent(call.call_id)}`}>{dateTime(call.started_at, language)}</a></td>
                    <td data-label={t("caller")}><a href={`/app/callers/${encodeURIComponent(call.caller)}`}>{phone(call.caller)}</a>
                      {call.attribution.caller_region ? <span class="hint"> · {call.attribution.caller_region}</span> : null}</td>
                    <td data-label={t("source")}>{sourceOf(call.attribution, t)}</td>
                    <td data-label={t("status")}><span class="tag danger">{statusText(call.status, t)}</span></td>
                    <td data-label={t("open")} class="actions">
                      <a class="button" href={`tel:${call.caller}`}>{t("callBack")}</a>{" "}
                      {can("write") && <button type="button" class="secondary" onClick={() => markDone(call)}>{t("markDone")}</button>}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </>
        )}
      </Loaded>
    </Page>
  );
}
