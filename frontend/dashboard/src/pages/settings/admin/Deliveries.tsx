// An endpoint's recent deliveries, real events and tests alike, from the API's delivery
// log (30 days): when, what, the outcome and the endpoint's answer. It refreshes itself,
// so a retry's attempts show as they happen.
import { useSession } from "../../../session";
import { dateTime } from "../../../ui/format";
import { useResource } from "../../../ui/resource";
import { Loaded } from "../../../ui/states";
import { type Delivery, outcomeKey } from "./webhooks";

const POLL_MS = 10_000;
const SHOWN = 20;

export function Deliveries({ path, generation }: { path: string; generation: number }) {
  const { t, language } = useSession();
  const log = useResource((api) => api.get<{ deliveries: Delivery[] }>(`${path}/deliveries?limit=${SHOWN}`),
    [path, generation], POLL_MS);
  return (
    <>
      <h4>{t("admDeliveries")}</h4>
      <Loaded resource={log}>
        {({ deliveries }) => deliveries.length === 0 ? <p class="hint">{t("admDeliveriesNone")}</p> : (
          <div class="scroll">
            <table class="stack deliveries">
              <thead><tr>
                <th scope="col">{t("admDeliveryWhen")}</th><th scope="col">{t("admDeliveryOutcome")}</th>
                <th scope="col">{t("admDeliveryStatus")}</th><th scope="col">{t("admDeliveryAttempt")}</th>
                <th scope="col">{t("admDeliveryEvent")}</th>
              </tr></thead>
              <tbody>
                {deliveries.map((d) => (
                  <tr key={d.deliveryId} data-delivery={d.outcome === "delivered" ? "delivered" : "failed"}>
                    <td data-label={t("admDeliveryWhen")}>{dateTime(d.at, language)}</td>
                    <td data-label={t("admDeliveryOutcome")}>
                      <span class={d.outcome === "delivered" ? "tag ok" : "tag danger"}>{t(outcomeKey(d.outcome))}</span>
                      {d.error ? <span class="hint block">{d.error}</span> : null}
                    </td>
                    <td data-label={t("admDeliveryStatus")}>{d.httpStatus ?? t("admNoAnswer")}</td>
                    <td data-label={t("admDeliveryAttempt")}>{d.attempt}</td>
                    <td data-label={t("admDeliveryEvent")}>{d.eventType} <code>{d.eventId}</code></td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Loaded>
    </>
  );
}
