-- Broadcasts are sent in the background (route send-broadcasts): the request records the event and is answered at
-- once; each broadcast not yet sent is put on the events queue, one message per account, then marked sent with the
-- number of accounts it went to. Its payload is kept only until then (a resend of it brings it again).
ALTER TABLE broadcasts ADD COLUMN type VARCHAR(200);
ALTER TABLE broadcasts ADD COLUMN payload VARCHAR;
ALTER TABLE broadcasts ADD COLUMN channels VARCHAR(1300);
-- when it was last asked for: a resend during the sending has it sent again (to accounts created meanwhile)
ALTER TABLE broadcasts ADD COLUMN requested_at TIMESTAMP WITH TIME ZONE;
ALTER TABLE broadcasts ADD COLUMN sent_at TIMESTAMP WITH TIME ZONE;
ALTER TABLE broadcasts ADD COLUMN accounts INTEGER;
-- an earlier Hookpost sent each broadcast in its request
UPDATE broadcasts SET requested_at = created_at, sent_at = created_at;
ALTER TABLE broadcasts ALTER COLUMN requested_at SET NOT NULL;
CREATE INDEX broadcasts_unsent ON broadcasts (sent_at);
