-- An endpoint's rate limit: attempts started a second at most (io.hookpost.outbound.EndpointSlots); NULL: none.
ALTER TABLE endpoints ADD COLUMN rate_limit INTEGER;
