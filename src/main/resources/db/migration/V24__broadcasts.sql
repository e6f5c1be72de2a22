-- Broadcasts (POST /api/v1/broadcast, io.hookpost.outbound.Broadcasts): the id every account's copy carries, what it
-- was sent with and when its event occurred. The same broadcast sent again (after a failure part-way) reaches the
-- accounts it missed with the same event; one with other content under the id is refused, even at the same moment.
CREATE TABLE broadcasts (
    id           VARCHAR(200) PRIMARY KEY,
    request_hash VARCHAR(64)  NOT NULL,              -- SHA-256 of type, data, channels and a given timestamp
    occurred_at  TIMESTAMP WITH TIME ZONE NOT NULL,  -- the event's timestamp in every account
    created_at   TIMESTAMP WITH TIME ZONE NOT NULL
);
CREATE INDEX broadcasts_created ON broadcasts (created_at);
