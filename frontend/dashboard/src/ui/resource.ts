// Loading something from the API for a page: loading, failed or ready, reloaded when the
// account shown changes (an agency's client switcher) or on demand.
import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import type { Api } from "../api";
import { useSession } from "../session";

export type Resource<T> =
  | { state: "loading"; reload: () => void }
  | { state: "failed"; error: Error; reload: () => void }
  | { state: "ready"; value: T; reload: () => void; refreshing: boolean };

export function useResource<T>(load: (api: Api) => Promise<T>, deps: unknown[] = [], pollMs?: number): Resource<T> {
  const { api, tenant } = useSession();
  const [state, setState] = useState<{ state: "loading" } | { state: "failed"; error: Error } | { state: "ready"; value: T; refreshing: boolean }>({ state: "loading" });
  const [generation, setGeneration] = useState(0);
  const loadRef = useRef(load);
  const shown = useRef<string | null>(null);
  loadRef.current = load;
  const reload = useCallback(() => setGeneration((g) => g + 1), []);

  useEffect(() => {
    let stopped = false;
    let timer: number | undefined;
    const run = async (first: boolean) => {
      if (!first) setState((s) => (s.state === "ready" ? { ...s, refreshing: true } : s));
      try {
        const value = await loadRef.current(api);
        if (!stopped) setState({ state: "ready", value, refreshing: false });
      } catch (error) {
        // A poll that fails keeps what is shown; the first load shows the failure.
        if (!stopped) setState((s) => (first || s.state !== "ready" ? { state: "failed", error: error as Error } : { ...s, refreshing: false }));
      }
      if (!stopped && pollMs) timer = window.setTimeout(() => run(false), pollMs);
    };
    // A reload of the same thing keeps what is shown until the new answer comes (a form
    // that saved keeps its "Saved."); another thing (a new id, another account) starts over.
    const key = JSON.stringify([tenant, pollMs, ...deps]);
    const same = shown.current === key;
    shown.current = key;
    setState((s) => (same && s.state === "ready" ? { ...s, refreshing: true } : { state: "loading" }));
    run(!same);
    return () => { stopped = true; window.clearTimeout(timer); };
  }, [api, tenant, generation, pollMs, ...deps]);

  return { ...state, reload } as Resource<T>;
}
