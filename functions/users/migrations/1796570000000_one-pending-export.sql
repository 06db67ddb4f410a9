-- Up Migration
-- At most one export in progress per user, so two requests at once start one; an export whose parts never all
-- arrived is given up after a day ('failed', offered as expired) so the user can ask again.
ALTER TABLE data_exports DROP CONSTRAINT data_exports_status_check;
ALTER TABLE data_exports ADD CONSTRAINT data_exports_status_check CHECK (status IN ('pending', 'ready', 'failed'));
ALTER TABLE data_exports DROP CONSTRAINT data_exports_check;
ALTER TABLE data_exports ADD CONSTRAINT data_exports_check
  CHECK (status <> 'ready' OR (file_key IS NOT NULL AND ready_at IS NOT NULL));
UPDATE data_exports d SET status = 'failed'
 WHERE status = 'pending'
   AND EXISTS (SELECT 1 FROM data_exports newer
                WHERE newer.user_id = d.user_id AND newer.status = 'pending'
                  AND (newer.requested_at, newer.id) > (d.requested_at, d.id));
CREATE UNIQUE INDEX data_exports_one_pending ON data_exports (user_id) WHERE status = 'pending';

-- Down Migration
DROP INDEX data_exports_one_pending;
DELETE FROM data_exports WHERE status = 'failed';
ALTER TABLE data_exports DROP CONSTRAINT data_exports_check;
ALTER TABLE data_exports ADD CONSTRAINT data_exports_check
  CHECK (status = 'pending' OR (file_key IS NOT NULL AND ready_at IS NOT NULL));
ALTER TABLE data_exports DROP CONSTRAINT data_exports_status_check;
ALTER TABLE data_exports ADD CONSTRAINT data_exports_status_check CHECK (status IN ('pending', 'ready'));
