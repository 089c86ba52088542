/** Shows the session's own states (signing in, failed, signed out) until the console is ready. */
import type { ReactNode } from 'react';
import { useLocation } from 'react-router-dom';
import { isCallbackPath } from '../auth/sign-in.ts';
import { Loading } from '../ui/states.tsx';
import { useConsole } from './console-context.ts';

export function SessionGate({ children }: { children: ReactNode }) {
  const { phase, failure, signIn } = useConsole();
  const { pathname } = useLocation();
  // The router moves off /auth/callback in a transition: the console renders once it has.
  if (phase === 'ready' && !isCallbackPath(pathname)) return <>{children}</>;
  return (
    <div className="session-screen">
      <main id="main" className="session-card">
        <h1>tenantgate console</h1>
        {(phase === 'starting' || phase === 'redirecting' || phase === 'ready') && <Loading label="Signing in…" />}
        {phase === 'failed' && (
          <div role="alert">
            <p>{failure}</p>
            <button type="button" onClick={signIn}>
              Sign in again
            </button>
          </div>
        )}
        {phase === 'signed-out' && (
          <div>
            <p>You are signed out. Your tokens were revoked.</p>
            <button type="button" onClick={signIn}>
              Sign in
            </button>
          </div>
        )}
      </main>
    </div>
  );
}
