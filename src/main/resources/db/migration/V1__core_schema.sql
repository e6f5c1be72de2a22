-- Hookpost core schema. Portable SQL: runs unchanged on H2 (PostgreSQL mode) and PostgreSQL.
-- The database is the source of truth: a delivery row is the job; queues and memory are a fast path.

CREATE TABLE accounts (
    id          VARCHAR(64)  PRIMARY KEY,
    name        VARCHAR(200) NOT NULL,
    created_at  TIMESTAMP WITH TIME ZONE NOT NULL
);

-- Bearer keys, stored as SHA-256 of the key (keys are long random strings, so a fast hash is enough).
-- account_id NULL = operator key (sees every account).
CREATE TABLE api_keys (
    id          VARCHAR(40)  PRIMARY KEY,
    account_id  VARCHAR(64)  REFERENCES accounts (id),
    key_hash    VARCHAR(64)  NOT NULL UNIQUE,
    key_prefix  VARCHAR(16)  NOT NULL,
    description VARCHAR(200),
    created_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    revoked_at  TIMESTAMP WITH TIME ZONE
);

-- The catalog of event types, each in a category; json_schema optionally validates event data.
CREATE TABLE event_types (
    name        VARCHAR(200) PRIMARY KEY,
    category    VARCHAR(200),
    description VARCHAR(1000),
    json_schema VARCHAR,
    created_at  TIMESTAMP WITH TIME ZONE NOT NULL
);
CREATE INDEX event_types_category ON event_types (category);

CREATE TABLE endpoints (
    id                         VARCHAR(40)   PRIMARY KEY,
    account_id                 VARCHAR(64)   NOT NULL REFERENCES accounts (id),
    url                        VARCHAR(2048) NOT NULL,
    description                VARCHAR(1000),
    filter_expression          VARCHAR(4000),
    signature_scheme           VARCHAR(32)   NOT NULL,
    signature_header           VARCHAR(100),
    secret                     VARCHAR(200),
    previous_secret            VARCHAR(200),
    previous_secret_expires_at TIMESTAMP WITH TIME ZONE,
    headers                    VARCHAR(8000),   -- JSON object of custom request headers
    retry_schedule             VARCHAR(500),    -- NULL: hookpost.delivery.retry-schedule
    disable_after_failures     INTEGER,         -- NULL: hookpost.delivery.disable-after-failures
    active                     BOOLEAN       NOT NULL,
    disabled_reason            VARCHAR(500),
    disabled_at                TIMESTAMP WITH TIME ZONE,
    failure_streak             INTEGER       NOT NULL DEFAULT 0,
    created_at                 TIMESTAMP WITH TIME ZONE NOT NULL,
    updated_at                 TIMESTAMP WITH TIME ZONE NOT NULL,
    deleted_at                 TIMESTAMP WITH TIME ZONE  -- soft delete keeps the delivery history
);
CREATE INDEX endpoints_account ON endpoints (account_id);

-- Subscriptions by event type: an exact name, '*' or a prefix wildcard such as 'host.*'.
-- prefix holds the part before '*' so matching is a plain string comparison on both databases.
CREATE TABLE endpoint_event_types (
    endpoint_id VARCHAR(40)  NOT NULL REFERENCES endpoints (id),
    pattern     VARCHAR(200) NOT NULL,
    prefix      VARCHAR(200),
    PRIMARY KEY (endpoint_id, pattern)
);
CREATE INDEX endpoint_event_types_pattern ON endpoint_event_types (pattern);

CREATE TABLE endpoint_categories (
    endpoint_id VARCHAR(40)  NOT NULL REFERENCES endpoints (id),
    category    VARCHAR(200) NOT NULL,
    PRIMARY KEY (endpoint_id, category)
);

-- One row per accepted event; (account_id, id) is the dedupe key. payload is the exact envelope
-- sent on every attempt to every endpoint, byte for byte (UTF-8).
CREATE TABLE events (
    account_id  VARCHAR(64)  NOT NULL REFERENCES accounts (id),
    id          VARCHAR(200) NOT NULL,
    type        VARCHAR(200) NOT NULL,
    occurred_at TIMESTAMP WITH TIME ZONE NOT NULL,
    payload     VARCHAR      NOT NULL,
    source      VARCHAR(20)  NOT NULL,   -- api | queue | inbound | system
    created_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    PRIMARY KEY (account_id, id)
);
CREATE INDEX events_created ON events (account_id, created_at);

-- One event to one endpoint. id is the webhook-id, stable over all attempts.
-- status: pending -> delivered | failed | discarded; held while the endpoint is disabled.
CREATE TABLE deliveries (
    id                   VARCHAR(40)  PRIMARY KEY,
    account_id           VARCHAR(64)  NOT NULL,
    event_id             VARCHAR(200) NOT NULL,
    endpoint_id          VARCHAR(40)  NOT NULL REFERENCES endpoints (id),
    status               VARCHAR(20)  NOT NULL,
    attempts             INTEGER      NOT NULL DEFAULT 0,
    next_attempt_at      TIMESTAMP WITH TIME ZONE,
    lease_owner          VARCHAR(100),
    lease_until          TIMESTAMP WITH TIME ZONE,
    last_attempt_at      TIMESTAMP WITH TIME ZONE,
    last_response_status INTEGER,
    last_error           VARCHAR(1000),
    delivered_at         TIMESTAMP WITH TIME ZONE,
    created_at           TIMESTAMP WITH TIME ZONE NOT NULL,
    updated_at           TIMESTAMP WITH TIME ZONE NOT NULL,
    FOREIGN KEY (account_id, event_id) REFERENCES events (account_id, id),
    UNIQUE (account_id, event_id, endpoint_id)
);
CREATE INDEX deliveries_due ON deliveries (status, next_attempt_at);
CREATE INDEX deliveries_endpoint ON deliveries (endpoint_id, created_at);
CREATE INDEX deliveries_account_status ON deliveries (account_id, status, created_at);

-- One HTTP try. id is the X-Webhook-Delivery UUID sent with it. The request body is the event's
-- payload (identical on every attempt), so it is not copied here.
CREATE TABLE attempts (
    id               VARCHAR(36)   PRIMARY KEY,
    delivery_id      VARCHAR(40)   NOT NULL REFERENCES deliveries (id),
    endpoint_id      VARCHAR(40)   NOT NULL,
    account_id       VARCHAR(64)   NOT NULL,
    attempt_number   INTEGER       NOT NULL,
    trigger_kind     VARCHAR(20)   NOT NULL,   -- scheduled | manual | test
    request_url      VARCHAR(2048) NOT NULL,
    request_headers  VARCHAR       NOT NULL,   -- JSON object
    response_status  INTEGER,
    response_headers VARCHAR,                  -- JSON object
    response_body    VARCHAR,                  -- first hookpost.delivery.response-body-limit bytes
    duration_ms      INTEGER       NOT NULL,
    error            VARCHAR(2000),
    succeeded        BOOLEAN       NOT NULL,
    created_at       TIMESTAMP WITH TIME ZONE NOT NULL
);
CREATE INDEX attempts_delivery ON attempts (delivery_id, created_at);
CREATE INDEX attempts_endpoint ON attempts (endpoint_id, created_at);

-- Inbound: an account's link to an email / messaging provider and the credentials that verify it.
CREATE TABLE provider_connections (
    id          VARCHAR(40)  PRIMARY KEY,
    account_id  VARCHAR(64)  NOT NULL REFERENCES accounts (id),
    provider    VARCHAR(40)  NOT NULL,
    credentials VARCHAR(4000) NOT NULL,        -- JSON; never returned after creation
    created_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    deleted_at  TIMESTAMP WITH TIME ZONE
);

-- Every verified callback, written before it is answered: raw bytes kept for replay and audit.
CREATE TABLE inbound_callbacks (
    id            VARCHAR(40)  PRIMARY KEY,
    connection_id VARCHAR(40)  NOT NULL REFERENCES provider_connections (id),
    account_id    VARCHAR(64)  NOT NULL,
    dedupe_key    VARCHAR(300),
    headers       VARCHAR      NOT NULL,
    body          BYTEA        NOT NULL,
    status        VARCHAR(20)  NOT NULL,       -- received | processed | failed
    received_at   TIMESTAMP WITH TIME ZONE NOT NULL,
    processed_at  TIMESTAMP WITH TIME ZONE,
    UNIQUE (connection_id, dedupe_key)
);
CREATE INDEX inbound_callbacks_status ON inbound_callbacks (status, received_at);

-- The provider's view of one message; status_rank only grows, so statuses only move forward.
CREATE TABLE message_statuses (
    account_id          VARCHAR(64)  NOT NULL,
    provider            VARCHAR(40)  NOT NULL,
    provider_message_id VARCHAR(300) NOT NULL,
    status              VARCHAR(40)  NOT NULL,
    status_rank         INTEGER      NOT NULL,
    recipient           VARCHAR(500),
    updated_at          TIMESTAMP WITH TIME ZONE NOT NULL,
    PRIMARY KEY (account_id, provider, provider_message_id)
);
