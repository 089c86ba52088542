/** Providers and routes. Every page renders inside the Layout, under the committed tenant. */
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { useState } from 'react';
import { BrowserRouter, Route, Routes } from 'react-router-dom';
import { ApiError, StaleResponseError } from '../api/errors.ts';
import { AuditPage } from '../pages/AuditPage.tsx';
import { EnvironmentPage } from '../pages/EnvironmentPage.tsx';
import { GraphPage } from '../pages/GraphPage.tsx';
import { NotFoundPage } from '../pages/NotFoundPage.tsx';
import { OverviewPage } from '../pages/OverviewPage.tsx';
import { RolloutPage } from '../pages/RolloutPage.tsx';
import { ScanPage } from '../pages/ScanPage.tsx';
import { ScansPage } from '../pages/ScansPage.tsx';
import { TopologyPage } from '../pages/TopologyPage.tsx';
import { TriagePage } from '../pages/TriagePage.tsx';
import { UnknownPage } from '../pages/UnknownPage.tsx';
import { UnknownsPage } from '../pages/UnknownsPage.tsx';
import { ConsoleProvider } from './ConsoleProvider.tsx';
import { Layout } from './Layout.tsx';
import { SessionGate } from './SessionGate.tsx';

function createQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        staleTime: 15_000,
        refetchOnWindowFocus: false,
        // Client errors (404 of another tenant's id, 403) and stale answers are final.
        retry: (failures, error) => !(error instanceof StaleResponseError) && !(error instanceof ApiError && error.status < 500) && failures < 1,
      },
    },
  });
}

export function App() {
  const [queryClient] = useState(createQueryClient);
  return (
    <QueryClientProvider client={queryClient}>
      {/* Location updates render synchronously, never as a transition: the address bar, the selector
          and the page must change tenant in the same frame. */}
      <BrowserRouter useTransitions={false}>
        <ConsoleProvider>
          <SessionGate>
            <Routes>
              <Route element={<Layout />}>
                <Route index element={<OverviewPage />} />
                <Route path="topology" element={<TopologyPage />} />
                <Route path="topology/:environmentId" element={<EnvironmentPage />} />
                <Route path="scans" element={<ScansPage />} />
                <Route path="scans/:scanId" element={<ScanPage />} />
                <Route path="triage" element={<TriagePage />} />
                <Route path="unknowns" element={<UnknownsPage />} />
                <Route path="unknowns/:unknownId" element={<UnknownPage />} />
                <Route path="graph" element={<GraphPage />} />
                <Route path="rollout" element={<RolloutPage />} />
                <Route path="audit" element={<AuditPage />} />
                <Route path="*" element={<NotFoundPage />} />
              </Route>
            </Routes>
          </SessionGate>
        </ConsoleProvider>
      </BrowserRouter>
    </QueryClientProvider>
  );
}
