import { lazy, Suspense } from 'react';
import { Loader } from '@mantine/core';
import { Navigate, Route, Routes, useLocation } from 'react-router';
import { lastEndReason, useSession } from './auth/session';
import { Shell } from './components/Shell';
import { MyCasesPage } from './pages/MyCasesPage';
import { NotFoundPage } from './pages/NotFoundPage';
import { SignInPage } from './pages/SignInPage';

// The forms (Mantine dates, libs/clinical's rules) and the case pages load with their page, not with sign-in
// and the case list (the size budget in `npm run bench` is for those two).
const NewCasePage = lazy(() => import('./pages/NewCasePage').then((m) => ({ default: m.NewCasePage })));
const CaseViewPage = lazy(() => import('./pages/CaseViewPage').then((m) => ({ default: m.CaseViewPage })));
const EditCasePage = lazy(() => import('./pages/EditCasePage').then((m) => ({ default: m.EditCasePage })));
const NewFollowUpPage = lazy(() => import('./pages/NewFollowUpPage').then((m) => ({ default: m.NewFollowUpPage })));
const NewComplicationPage = lazy(() =>
  import('./pages/NewComplicationPage').then((m) => ({ default: m.NewComplicationPage })),
);
const MyOutcomesPage = lazy(() => import('./pages/MyOutcomesPage').then((m) => ({ default: m.MyOutcomesPage })));
// Step 10: registry staff, quality review, administration.
const WorkListsPage = lazy(() => import('./pages/WorkListsPage').then((m) => ({ default: m.WorkListsPage })));
const EditFollowUpPage = lazy(() => import('./pages/EditFollowUpPage').then((m) => ({ default: m.EditFollowUpPage })));
const EditComplicationPage = lazy(() =>
  import('./pages/EditComplicationPage').then((m) => ({ default: m.EditComplicationPage })),
);
const ExportsPage = lazy(() => import('./pages/ExportsPage').then((m) => ({ default: m.ExportsPage })));
const ReviewDashboardPage = lazy(() =>
  import('./pages/ReviewDashboardPage').then((m) => ({ default: m.ReviewDashboardPage })),
);
const UsersPage = lazy(() => import('./pages/UsersPage').then((m) => ({ default: m.UsersPage })));
const TokensPage = lazy(() => import('./pages/TokensPage').then((m) => ({ default: m.TokensPage })));
// Step 11: CSV import of historical data (registry staff, admin).
const ImportsPage = lazy(() => import('./pages/ImportsPage').then((m) => ({ default: m.ImportsPage })));
// Step 12: the patient's public pages (no sign-in, no Shell), opened from the invitation mail.
const QuestionnairePage = lazy(() =>
  import('./pages/QuestionnairePage').then((m) => ({ default: m.QuestionnairePage })),
);
const UnsubscribePage = lazy(() => import('./pages/UnsubscribePage').then((m) => ({ default: m.UnsubscribePage })));

function Lazy({ page: Page, label }: { page: React.ComponentType; label: string }) {
  return (
    <Suspense fallback={<Loader aria-label={label} />}>
      <Page />
    </Suspense>
  );
}

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
        path="/questionnaire/unsubscribe/:token"
        element={<Lazy page={UnsubscribePage} label="Loading the page" />}
      />
      <Route
        path="/questionnaire/:token"
        element={<Lazy page={QuestionnairePage} label="Loading the questionnaire" />}
      />
      <Route
        element={
          <RequireSession>
            <Shell />
          </RequireSession>
        }
      >
        <Route index element={<Navigate to="/cases" replace />} />
        <Route path="/cases" element={<MyCasesPage />} />
        <Route path="/cases/new" element={<Lazy page={NewCasePage} label="Loading the form" />} />
        <Route path="/cases/:id" element={<Lazy page={CaseViewPage} label="Loading the case" />} />
        <Route path="/cases/:id/edit" element={<Lazy page={EditCasePage} label="Loading the form" />} />
        <Route path="/cases/:id/follow-ups/new" element={<Lazy page={NewFollowUpPage} label="Loading the form" />} />
        <Route
          path="/cases/:id/complications/new"
          element={<Lazy page={NewComplicationPage} label="Loading the form" />}
        />
        <Route path="/outcomes" element={<Lazy page={MyOutcomesPage} label="Loading the outcomes" />} />
        <Route path="/work-lists" element={<Lazy page={WorkListsPage} label="Loading the work lists" />} />
        <Route path="/follow-ups/:id/edit" element={<Lazy page={EditFollowUpPage} label="Loading the form" />} />
        <Route path="/complications/:id/edit" element={<Lazy page={EditComplicationPage} label="Loading the form" />} />
        <Route path="/exports" element={<Lazy page={ExportsPage} label="Loading the exports" />} />
        <Route path="/imports" element={<Lazy page={ImportsPage} label="Loading the imports" />} />
        <Route path="/review" element={<Lazy page={ReviewDashboardPage} label="Loading the review" />} />
        <Route path="/admin/users" element={<Lazy page={UsersPage} label="Loading the users" />} />
        <Route path="/tokens" element={<Lazy page={TokensPage} label="Loading the tokens" />} />
        <Route path="*" element={<NotFoundPage />} />
      </Route>
    </Routes>
  );
}
