// The event types the API accepts: the events service's own list (a pure module, so the bundle takes just the array).
export { EVENT_TYPES, type EventType } from '../../../functions/events/rules';
