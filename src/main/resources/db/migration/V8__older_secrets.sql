-- A rotation with a grace period during another one's keeps the earlier old secret until its own grace period ends:
-- a JSON array [{"secret", "expiresAt"}] of the secrets replaced before previous_secret and still valid then.
ALTER TABLE endpoints ADD COLUMN older_secrets VARCHAR(4000);
