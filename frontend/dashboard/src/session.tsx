// What every page of a signed-in user reads: the API client, the user and their accounts,
// the account shown (an agency switches between its clients), and the language.
import { createContext } from "preact";
import { useContext } from "preact/hooks";
import type { Api } from "./api";
import type { Language, Translate } from "./i18n";

export interface Membership {
  tenantId: string;
  name: string;
  kind: "customer" | "agency";
  role: "owner" | "admin" | "analyst" | "billing" | string;
}

export interface Me {
  user?: { userId: string; email: string };
  memberships: Membership[];
}

export interface Client {
  tenantId: string;
  name: string;
  createdAt?: number;
}

export interface Session {
  api: Api;
  me: Me;
  // The account the pages show: the user's own, or an agency's client (sent as X-Tenant-Id).
  tenant: string;
  membership: Membership;
  clients: Client[];
  setTenant: (tenantId: string) => void;
  t: Translate;
  language: Language;
  setLanguage: (language: Language) => void;
  signOut: () => void;
  // Reads /v1/me and the clients again (a rename, an account turned agency, a new client).
  refresh: () => void;
  // What the user's role in the account shown allows (accounts/tenants.py ROLE_PERMISSIONS).
  can: (permission: Permission) => boolean;
}

export type Permission = "read" | "write" | "manage" | "billing" | "audit";

const ROLE_PERMISSIONS: Record<string, Permission[]> = {
  owner: ["read", "write", "manage", "billing", "audit"],
  admin: ["read", "write", "manage"],
  analyst: ["read"],
  billing: ["billing"],
};

export function permissionsOf(role: string): ReadonlySet<Permission> {
  return new Set(ROLE_PERMISSIONS[role] ?? []);
}

export const SessionContext = createContext<Session | null>(null);

// The language and its texts, for every page, signed in or not.
export interface Texts {
  t: Translate;
  language: Language;
}

export const TextsContext = createContext<Texts>(null as unknown as Texts);

export function useTexts(): Texts {
  return useContext(TextsContext);
}

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error("useSession outside a signed-in page");
  return session;
}
