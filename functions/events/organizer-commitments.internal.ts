// events.organizerCommitments: the organizer's upcoming events on sale, which must be cancelled (or over) before
// the account can be deleted. Called by the auth service when someone deletes their account.
import { organizerCommitmentsRequest } from '../../events/contracts/privacy';
import { getPool } from '../../layers/common/db';
import { internalHandler } from '../../layers/common/internal';
import { upcomingOnSale } from './organizer-commitments.store';

export const handler = internalHandler('events', organizerCommitmentsRequest, async ({ userId }) => ({
  upcomingOnSale: await upcomingOnSale(await getPool('events'), userId),
}));
