/** Platform API shapes and paths (src/modules/platform/schemas.ts). */

export interface PlatformContext {
  tenant: string;
  actor: string;
  actorName?: string | null;
  clientName?: string | null;
  client: string | null;
  scopes: string[];
}

export interface Preferences {
  tenant: string;
  subject: string;
  region: string | null;
  environment: string | null;
  timeWindow: string | null;
  stage: string | null;
  updatedAt: string | null;
}

export type PreferencesUpdate = Pick<Preferences, 'region' | 'environment' | 'timeWindow' | 'stage'>;

export const timeWindows = ['1h', '24h', '7d', '30d', '90d'] as const;

export interface Environment {
  id: string;
  name: string;
  description: string;
  region: string | null;
  stage: string | null;
  targetCount: number;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
}

export interface Target {
  id: string;
  environmentId: string;
  name: string;
  kind: string;
  address: string;
  createdAt: string;
  updatedAt: string;
}

export const platformPaths = {
  context: '/api/v1/platform/context',
  preferences: '/api/v1/platform/context/preferences',
  environments: '/api/v1/platform/topology/environments',
  environment: (id: string) => `/api/v1/platform/topology/environments/${encodeURIComponent(id)}`,
  targets: (id: string) => `/api/v1/platform/topology/environments/${encodeURIComponent(id)}/targets`,
};
