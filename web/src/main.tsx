// The web app: attendee pages load with the first chunk; organizer pages (and the charting library they use) are a
// separate chunk, loaded when an organizer page is opened.
import { render } from 'preact';
import { ErrorBoundary, LocationProvider, lazy, Route, Router } from 'preact-iso';
import { Layout } from './components/layout';
import { ForgotPasswordPage, ResetPasswordPage, VerifyEmailPage } from './pages/account-links';
import { CallbackPage } from './pages/callback';
import { CheckoutPage } from './pages/checkout';
import { EventPage } from './pages/event';
import { HomePage } from './pages/home';
import { NotFoundPage } from './pages/not-found';
import { OrderPage } from './pages/order';
import { OrdersPage } from './pages/orders';
import { ProfilePage } from './pages/profile';
import { TeamInvitationPage } from './pages/team-invitation';
import { TicketsPage } from './pages/tickets';
import './styles.css';

const organizer = () => import('./pages/organizer/index');
const OrganizerHome = lazy(() => organizer().then((m) => m.OrganizerHomePage));
const EventEditor = lazy(() => organizer().then((m) => m.EventEditorPage));
const EventDashboard = lazy(() => organizer().then((m) => m.EventDashboardPage));
const Attendees = lazy(() => organizer().then((m) => m.AttendeesPage));
const CheckIn = lazy(() => organizer().then((m) => m.CheckInPage));

function App() {
  return (
    <LocationProvider>
      <ErrorBoundary>
        <Layout>
          <Router
            onRouteChange={() => {
              window.scrollTo(0, 0);
              document.getElementById('main')?.focus({ preventScroll: true });
            }}
          >
            <Route path="/" component={HomePage} />
            <Route path="/events/:id" component={EventPage} />
            <Route path="/checkout/:id" component={CheckoutPage} />
            <Route path="/tickets" component={TicketsPage} />
            <Route path="/orders" component={OrdersPage} />
            <Route path="/orders/:id" component={OrderPage} />
            <Route path="/profile" component={ProfilePage} />
            <Route path="/team-invitations/accept" component={TeamInvitationPage} />
            <Route path="/callback" component={CallbackPage} />
            <Route path="/verify-email" component={VerifyEmailPage} />
            <Route path="/reset-password" component={ResetPasswordPage} />
            <Route path="/forgot-password" component={ForgotPasswordPage} />
            <Route path="/organizer" component={OrganizerHome} />
            <Route path="/organizer/events/new" component={EventEditor} />
            <Route path="/organizer/events/:id/edit" component={EventEditor} />
            <Route path="/organizer/events/:id" component={EventDashboard} />
            <Route path="/organizer/events/:id/attendees" component={Attendees} />
            <Route path="/organizer/events/:id/check-in" component={CheckIn} />
            <Route default component={NotFoundPage} />
          </Router>
        </Layout>
      </ErrorBoundary>
    </LocationProvider>
  );
}

const root = document.getElementById('app');
if (root) render(<App />, root);
