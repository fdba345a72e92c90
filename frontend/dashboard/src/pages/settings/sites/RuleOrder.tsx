// The order in which the site's rules are tried: the first whose rule matches a visit
// decides the number it sees. Reordered with buttons (keyboard and screen reader alike)
// and saved whole (PUT rule-order, at the site's version).
import { useState } from "preact/hooks";
import { useSession } from "../../../session";
import { phone } from "../../../ui/format";
import { Empty, Loaded } from "../../../ui/states";
import { MoveButtons, SaveBar, useSaver, useVersioned } from "./kit";
import { type Pool, type Route, moved } from "./model";
import { ruleSummary } from "./RuleFields";

export default function RuleOrder({ siteId, pools, generation }: { siteId: string; pools: Pool[]; generation: number }) {
  const { t } = useSession();
  const path = `/v1/sites/${encodeURIComponent(siteId)}/rule-order?g=${generation}`;
  const order = useVersioned<{ order: string[]; routes: Route[] }>(path);
  return (
    <section class="card" aria-labelledby="order-title">
      <h3 id="order-title">{t("setOrderTitle")}</h3>
      <p>{t("setOrderExplain")}</p>
      <Loaded resource={order}>
        {(answer) => answer.body.routes.length === 0
          ? <Empty><p>{t("setOrderEmpty")}</p></Empty>
          : <OrderForm key={answer.etag} siteId={siteId} routes={answer.body.routes} etag={answer.etag} pools={pools} onConflict={order.reload} />}
      </Loaded>
    </section>
  );
}

function OrderForm({ siteId, routes: initial, etag: initialEtag, pools, onConflict }: {
  siteId: string; routes: Route[]; etag: string | null; pools: Pool[]; onConflict: () => void;
}) {
  const { t } = useSession();
  const [routes, setRoutes] = useState(initial);
  const [etag, setEtag] = useState(initialEtag);
  const saver = useSaver(onConflict);
  const name = (r: Route) => r.kind === "pool" ? pools.find((p) => p.poolId === r.id)?.name ?? r.id : phone(r.id);
  const [stored, setStored] = useState(initial.map((r) => r.id));
  const changed = routes.some((r, i) => r.id !== stored[i]);
  const submit = (event: Event) => {
    event.preventDefault();
    saver.run(async (api) => {
      const saved = await api.send<{ routes: Route[] }>("PUT", `/v1/sites/${encodeURIComponent(siteId)}/rule-order`,
        { order: routes.map((r) => r.id) }, { ifMatch: etag });
      setRoutes(saved.body.routes);
      setStored(saved.body.routes.map((r) => r.id));
      setEtag(saved.etag);
    });
  };
  return (
    <form onSubmit={submit}>
      <ol class="rule-order" aria-label={t("setOrderTitle")}>
        {routes.map((r, i) => (
          <li key={r.id} data-route={r.id}>
            <span class="rank" aria-hidden="true">{i + 1}</span>
            <span class="what">
              <strong>{name(r)}</strong> <span class="tag">{r.kind === "pool" ? t("setKindPool") : t("setKindStatic")}</span>
              <span class="rule-text">{ruleSummary(r.rule, t)}</span>
            </span>
            <MoveButtons index={i} count={routes.length} label={name(r)} onMove={(a, b) => { saver.reset(); setRoutes(moved(routes, a, b)); }} />
          </li>
        ))}
      </ol>
      <p class="hint">{t("setOrderNoMatch")}</p>
      {changed && <p class="hint" role="status">{t("setOrderUnsaved")}</p>}
      <SaveBar saver={saver} label={t("setSaveOrder")} />
    </form>
  );
}
