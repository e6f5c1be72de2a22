-- Keys that stop working at a time, and what a key may do (io.hookpost.api.PortalApi): NULL scope is a full key
-- (an operator's or an account admin's); 'portal' and 'portal-read-only' are the account portal's sessions.
ALTER TABLE api_keys ADD COLUMN expires_at TIMESTAMP WITH TIME ZONE;
ALTER TABLE api_keys ADD COLUMN scope VARCHAR(20);
