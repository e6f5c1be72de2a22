-- A provider connection's credentials changed in place (PATCH), its inbound URL kept: the ones replaced still verify
-- callbacks until previous_valid_until (a grace period while the provider switches over); updated_at says when.
-- as wide as credentials (V26): sealed, and copied from it
ALTER TABLE provider_connections ADD COLUMN previous_credentials VARCHAR(8000);
ALTER TABLE provider_connections ADD COLUMN previous_valid_until TIMESTAMP WITH TIME ZONE;
ALTER TABLE provider_connections ADD COLUMN updated_at TIMESTAMP WITH TIME ZONE;
