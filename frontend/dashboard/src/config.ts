// Where the dashboard's user pool and API are. CloudFront serves /app/config.json, written
// by the deploy from the stack's outputs; the local gateway writes it for the local pool.
export interface DashboardConfig {
  region: string;
  userPoolId: string;
  clientId: string;
  // Cognito's endpoint when it is not the region's public one (moto, in `make dev`).
  cognitoEndpoint?: string | null;
  // The API's origin when it is not this page's (it is the same origin behind CloudFront).
  apiUrl?: string | null;
}

export async function loadConfig(fetcher: typeof fetch = fetch): Promise<DashboardConfig> {
  const response = await fetcher("/app/config.json", { cache: "no-store" });
  if (!response.ok) throw new Error(`config.json: HTTP ${response.status}`);
  const config = (await response.json()) as DashboardConfig;
  if (!config.userPoolId || !config.clientId || !config.region) throw new Error("config.json lacks the user pool");
  return config;
}
