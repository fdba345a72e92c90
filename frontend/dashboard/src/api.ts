// The public management API, as any customer's code calls it: the dashboard has no other door.

export interface Candidate {
  session_id: string;
  visitor_key: string;
  probability: number;
  reasons: string[];
  active_seconds_before?: number | null;
  tapped_seconds_before?: number | null;
}

export interface Touch {
  source: string | null;
  medium: string | null;
  campaign: string | null;
}

export interface Attribution {
  method?: string;
  session_id?: string | null;
  confidence?: number;
  level?: "high" | "medium" | "low" | null;
  source?: string | null;
  medium?: string | null;
  campaign?: string | null;
  keyword?: string | null;
  runner_up?: Candidate | null;
  candidates?: Candidate[];
  code?: { entered: string | null; valid: boolean | null; matched: boolean | null };
  first_touch?: Touch | null;
  last_touch?: Touch | null;
  first_time_caller?: boolean;
  caller_region?: string | null;
}

export interface Call {
  call_id: string;
  site_id: string;
  tracking_number: string;
  caller: string;
  started_at: number;
  status: string;
  attribution: Attribution;
  outcome?: Record<string, unknown>;
  recordings?: Record<string, string>;
  carrier_status?: string | null;
  call_seconds?: number | null;
  lead?: Lead;
}

export interface Lead {
  status: "new" | "lead" | "not_lead" | "spam" | "sale";
  value: number | null;
  currency: string | null;
  tags: string[];
  notes: { note_id?: string; noteId?: string; text: string; author: string; at: number }[];
  updated_by: string | null;
  updated_at: number | null;
}

export class ApiError extends Error {
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message);
  }
}

export interface Answer<T> {
  body: T;
  etag: string | null;
  // The answer's headers (a CSV download's Content-Disposition names its file).
  headers?: Headers;
}

export interface SendOptions {
  ifMatch?: string | null;
  headers?: Record<string, string>;
  contentType?: string;
}

type Body = unknown;

// One client per signed-in user: the ID token (refreshed by the auth layer) on every
// request, and X-Tenant-Id when an agency acts inside a client account.
export class Api {
  constructor(
    private readonly token: () => Promise<string | null>,
    private readonly tenant: () => string | null,
    private readonly base = "",
    private readonly fetcher: typeof fetch = (...args) => fetch(...args),
  ) {}

  async request<T>(method: string, path: string, body?: Body, options: SendOptions = {}): Promise<Answer<T>> {
    const headers: Record<string, string> = { ...options.headers };
    const token = await this.token();
    if (!token) throw new ApiError(401, "signed_out", "You are signed out.");
    headers.Authorization = `Bearer ${token}`;
    const tenant = this.tenant();
    if (tenant) headers["X-Tenant-Id"] = tenant;
    if (options.ifMatch) headers["If-Match"] = options.ifMatch;
    let payload: BodyInit | undefined;
    if (body !== undefined) {
      headers["Content-Type"] = options.contentType ?? "application/json";
      payload = typeof body === "string" ? body : JSON.stringify(body);
    }
    const response = await this.fetcher(this.base + path, { method, headers, body: payload });
    const text = await response.text();
    let parsed: unknown = null;
    const type = response.headers.get("Content-Type") ?? "application/json";
    if (text && type.includes("json")) {
      try { parsed = JSON.parse(text); } catch { parsed = text; }
    } else {
      parsed = text || null;
    }
    if (!response.ok) {
      // Our JSON error shape: {"error": {"code", "message"}}; anything else as it came.
      const error = ((parsed ?? {}) as { error?: { code?: string; message?: string } }).error ?? {};
      throw new ApiError(response.status, error.code ?? "http_error", error.message ?? (response.statusText || `HTTP ${response.status}`));
    }
    return { body: parsed as T, etag: response.headers.get("ETag"), headers: response.headers };
  }

  // The same user acting in another account they may reach (an agency's own, while a
  // client is shown): agency-level routes such as /v1/clients answer only there.
  forTenant(tenantId: string): Api {
    return new Api(this.token, () => tenantId, this.base, this.fetcher);
  }

  async get<T>(path: string): Promise<T> {
    return (await this.request<T>("GET", path)).body;
  }

  // A CSV download (reports): the text as it came.
  async text(path: string): Promise<string> {
    return (await this.request<string>("GET", path)).body;
  }

  send<T>(method: "POST" | "PUT" | "PATCH" | "DELETE", path: string, body?: Body, options?: SendOptions) {
    return this.request<T>(method, path, body, options);
  }
}

// A query string from the values that are set.
export function query(params: Record<string, string | number | boolean | null | undefined>): string {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    if (value !== null && value !== undefined && value !== "" && value !== false) search.set(name, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : "";
}
