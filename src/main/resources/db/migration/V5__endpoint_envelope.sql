-- The shape of the body an endpoint receives (io.hookpost.outbound.Envelope), and the shape each attempt sent, so an
-- attempt shows the body it sent after the endpoint's shape changed. An attempt made before this has none: standard.
ALTER TABLE endpoints ADD COLUMN envelope VARCHAR(20) DEFAULT 'standard' NOT NULL;
ALTER TABLE attempts ADD COLUMN request_envelope VARCHAR(20);
