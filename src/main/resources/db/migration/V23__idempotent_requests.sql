-- API POSTs sent with an Idempotency-Key (io.hookpost.api.IdempotentRequests): a repeat within
-- hookpost.security.idempotency-window gets the first request's answer instead of being done again.
CREATE TABLE idempotent_requests (
    id              VARCHAR(64)  PRIMARY KEY,   -- SHA-256 of the caller's API key and the Idempotency-Key
    request_hash    VARCHAR(64)  NOT NULL,      -- SHA-256 of the request's path and body: another is refused
    response_status INTEGER,                    -- NULL while the first request is under way
    response_type   VARCHAR(200),
    response_body   VARCHAR,                    -- AES-GCM, under a key the database does not hold
    created_at      TIMESTAMP WITH TIME ZONE NOT NULL
);
CREATE INDEX idempotent_requests_created ON idempotent_requests (created_at);
