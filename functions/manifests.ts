// Every service manifest, in one list: what the CDK app, the local runtime and the OpenAPI document are built from.
import type { ServiceManifest } from '../layers/common/manifest';
import { auth } from './auth/manifest';
import { events } from './events/manifest';
import { notifications } from './notifications/manifest';
import { ops } from './ops/manifest';
import { platform } from './platform/manifest';
import { tickets } from './tickets/manifest';
import { users } from './users/manifest';

export const manifests: readonly ServiceManifest[] = [
  auth,
  users,
  events,
  tickets,
  notifications,
  platform,
  ops,
];
