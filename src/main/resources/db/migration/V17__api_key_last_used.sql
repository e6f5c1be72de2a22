-- When a key was last used, to the minute (ApiKeys.lookup): keys nobody uses any more can be found and revoked.
ALTER TABLE api_keys ADD COLUMN last_used_at TIMESTAMP WITH TIME ZONE;
