// The messaging resources the manifests imply, shared by the CDK app and the local emulator.
import { describe, expect, it } from 'vitest';
import { manifests } from '../../../functions/manifests';
import type { ServiceManifest, ServiceName } from '../../../layers/common/manifest';
import { messagingResources } from '../../../layers/common/resources';
import { echo } from '../../fixtures/echo/manifest';

describe('messagingResources', () => {
  it('gives every consumer queue a dead-letter queue and a visibility timeout of six function timeouts', () => {
    const { queues, topics } = messagingResources([...manifests, echo]);
    expect(topics.map((topic) => topic.name)).toContain('echo-events');
    expect(queues).toContainEqual(
      expect.objectContaining({
        name: 'echo-inbox',
        dlqName: 'echo-inbox-dlq',
        maxReceiveCount: 2,
        subscribesTo: ['echo-events'],
      }),
    );
  });

  it('refuses a subscription to a topic nobody declares', () => {
    const broken: ServiceManifest = {
      service: 'users' as ServiceName,
      description: '',
      database: false,
      routes: {},
      consumers: { c: { queue: 'q', handler: 'c.ts', summary: '', subscribesTo: ['nope'] } },
    };
    expect(() => messagingResources([broken])).toThrow(/unknown topic nope/);
  });

  it('refuses the same queue or topic name twice', () => {
    const twice: ServiceManifest = { ...echo, topics: ['echo-events', 'echo-events'] };
    expect(() => messagingResources([twice])).toThrow(/declared twice/);
  });
});
