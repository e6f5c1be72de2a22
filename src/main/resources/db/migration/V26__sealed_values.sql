-- Provider connections' credentials may be stored sealed (hookpost.security.encryption-key): the base64 of the JSON
-- with a nonce and a tag, about a third longer than the JSON, which may itself come near 4,000 characters.
ALTER TABLE provider_connections ALTER COLUMN credentials SET DATA TYPE VARCHAR(8000);
