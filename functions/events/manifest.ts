// Events service: the catalogue of events, their types, tags and images. Its routes arrive with the events issue.
import { defineService } from '../../layers/common/manifest';

export const events = defineService({
  service: 'events',
  description: 'Event creation and lifecycle, types and tags, search, promotional images.',
  database: true,
  topics: ['catalogue-events'],
  routes: {},
});
