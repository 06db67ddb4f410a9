// Consumes the catalogue's EventTeamChanged: keeps the read copy of event teams that authorizes the door (and the
// organizer reads). The message carries the whole team of its scope, so applying it again, or late, changes nothing.
import { CatalogueMessageTypes } from '../../events/contracts/catalogue';
import { sqsConsumer } from '../../layers/common/consumer';
import { getPool } from '../../layers/common/db';
import { applyTeam } from './staff.store';

export const handler = sqsConsumer('tickets', async ({ envelope, log }) => {
  const contract = CatalogueMessageTypes.EventTeamChanged;
  if (envelope.type !== contract.type) return;
  if (envelope.version !== contract.version)
    throw new Error(`unsupported ${envelope.type} version ${envelope.version}`);
  const team = contract.schema.parse(envelope.data);
  const applied = await applyTeam(await getPool('tickets'), team);
  log.info(applied ? 'event team applied' : 'older event team ignored', {
    organizer_id: team.organizerId,
    event_id: team.eventId,
    members: team.members.length,
  });
});
