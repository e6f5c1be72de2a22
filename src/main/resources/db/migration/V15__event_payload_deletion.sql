-- An event's payload can be deleted (DELETE …/events/{id}/payload, as Svix's "delete message content": personal data
-- sent by mistake). The row stays: its id still deduplicates repeats, and its deliveries and attempts stay readable.
ALTER TABLE events ALTER COLUMN payload DROP NOT NULL;
ALTER TABLE events ADD COLUMN payload_deleted_at TIMESTAMP WITH TIME ZONE;
