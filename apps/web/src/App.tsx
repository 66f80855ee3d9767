import { lazy, Suspense } from 'react';
import { Loader } from '@mantine/core';
import { Navigate, Route, Routes, useLocation } from 'react-router';
import { lastEndReason, useSession } from './auth/session';
import { Shell } from './components/Shell';
import { MyCasesPage } from './pages/MyCasesPage';
import { NotFoundPage } from './pages/NotFoundPage';
import { SignInPage } from './pages/SignInPage';

// The case form (Mantine dates, libs/clinical's rules) loads with its page, not with sign-in and the case list.
const NewCasePage = lazy(() => import('./pages/NewCasePage').then((m) => ({ default: m.NewCasePage })));

// Pages behind sign-in: without a session, to sign-in, which brings the user back here afterwards.
function RequireSession({ children }: { children: React.ReactNode }) {
  const session = useSession();
  const location = useLocation();
  if (!session) {
    // After sign-out, a plain sign-in page: the next user starts at their own cases.
    if (lastEndReason() === 'signed-out') return <Navigate to="/sign-in" replace />;
    const next = location.pathname + location.search;
    return <Navigate to={`/sign-in?next=${encodeURIComponent(next)}`} replace />;
  }
  return children;
}

export function App() {
  return (
    <Routes>
      <Route path="/sign-in" element={<SignInPage />} />
      <Route
        element={
          <RequireSession>
            <Shell />
          </RequireSession>
        }
      >
        <Route index element={<Navigate to="/cases" replace />} />
        <Route path="/cases" element={<MyCasesPage />} />
        <Route
          path="/cases/new"
          element={
            <Suspense fallback={<Loader aria-label="Loading the form" />}>
              <NewCasePage />
            </Suspense>
          }
        />
        <Route path="*" element={<NotFoundPage />} />
      </Route>
    </Routes>
  );
}
