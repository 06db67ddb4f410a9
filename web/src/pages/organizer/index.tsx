// Organizer pages, in their own chunk with the charting library: my events and the sales dashboard, the event
// editor, one event's dashboard, its attendees and its door (check-in).
export { AttendeesPage } from './attendees';
export { CheckInPage } from './check-in';
export { EventDashboardPage } from './event-dashboard';
export { EventEditorPage } from './event-editor';
export { OrganizerHomePage } from './home';
