// A request's rounds: in each, the operators rung and the visitor's leg, who answered,
// how long each rang and talked.
import { useSession } from "../../session";
import { duration, phone } from "../../ui/format";
import { type CallbackRequest, roundsOf } from "./model";
import { clock, legStatusText, resultText } from "./words";

export function Rounds({ request }: { request: CallbackRequest }) {
  const { t, language } = useSession();
  const rounds = roundsOf(request);
  if (rounds.length === 0) return <p class="hint">{t("cbNoRounds")}</p>;
  return (
    <div class="cb-rounds">
      {rounds.map((round) => (
        <div class="cb-round" key={round.round} data-round={round.round}>
          <h3>
            {t("cbRoundN", { n: round.round })}
            <span class={round.result === "connected" ? "tag ok" : round.result ? "tag danger" : "tag warn"}>
              {round.result ? resultText(round.result, t) : t("cbRoundRinging")}
            </span>
          </h3>
          {round.answeredBy && <p class="hint">{t("cbAnsweredBy", { number: phone(round.answeredBy.number) })}</p>}
          <div class="cb-scroll">
            <table class="stack cb-legs">
              <thead>
                <tr>
                  <th scope="col">{t("cbLegWho")}</th><th scope="col">{t("cbLegNumber")}</th>
                  <th scope="col">{t("cbLegStatus")}</th><th scope="col">{t("cbLegAnswered")}</th>
                  <th scope="col">{t("cbLegRang")}</th><th scope="col">{t("cbLegTalked")}</th>
                </tr>
              </thead>
              <tbody>
                {round.legs.map((leg) => (
                  <tr key={leg.leg} data-leg={leg.leg} data-role={leg.role}>
                    <td data-label={t("cbLegWho")}>{leg.role === "operator" ? t("cbOperator") : t("cbVisitorLeg")}</td>
                    <td data-label={t("cbLegNumber")}>{phone(leg.number)}</td>
                    <td data-label={t("cbLegStatus")}>{legStatusText(leg.status, t)}{leg.error_code ? ` (${leg.error_code})` : ""}</td>
                    <td data-label={t("cbLegAnswered")}>{leg.answered_at ? clock(leg.answered_at, language) : "–"}</td>
                    <td data-label={t("cbLegRang")}>{leg.ring_seconds !== null ? t("cbSeconds", { n: leg.ring_seconds }) : "–"}</td>
                    <td data-label={t("cbLegTalked")}>{leg.answered_at ? duration(leg.talk_seconds) : "–"}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </div>
      ))}
    </div>
  );
}
