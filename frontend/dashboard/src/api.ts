// The public management API, as any customer's code calls it: the dashboard has no other door.

export interface Candidate {
  session_id: string;
  visitor_key: string;
  probability: number;
  reasons: string[];
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
}

export class ApiError extends Error {
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message);
  }
}

export async function getJson<T>(path: string, credential: string, fetcher: typeof fetch = fetch): Promise<T> {
  const response = await fetcher(path, { headers: { Authorization: `Bearer ${credential}` } });
  const body = await response.json().catch(() => ({}));
  if (!response.ok) {
    // Our JSON error shape: {"error": {"code", "message"}}; anything else is reported as it came.
    const error = (body as { error?: { code?: string; message?: string } }).error ?? {};
    throw new ApiError(response.status, error.code ?? "http_error", error.message ?? response.statusText);
  }
  return body as T;
}

export function recentCalls(credential: string, fetcher: typeof fetch = fetch): Promise<{ calls: Call[] }> {
  return getJson("/v1/calls?limit=50", credential, fetcher);
}
