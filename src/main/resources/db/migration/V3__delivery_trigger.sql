-- What prompts a delivery's next attempt, recorded on that attempt: scheduled (the fan-out and the retry
-- schedule), manual (retry and recover over the API) or test (an endpoint's test event, on every attempt).
ALTER TABLE deliveries ADD COLUMN trigger_kind VARCHAR(20) DEFAULT 'scheduled' NOT NULL;
