-- Endpoints' custom headers and provider connections' credentials may be stored sealed
-- (hookpost.security.encryption-key): the base64 of the JSON with a nonce and a tag, about a third longer than the JSON.
-- Headers as the API takes them (20, each a name of up to 100 characters and a value of up to 1,000) come to about
-- 22,000 characters as JSON, more than the 8,000 they had.
ALTER TABLE endpoints ALTER COLUMN headers SET DATA TYPE VARCHAR(65536);
ALTER TABLE provider_connections ALTER COLUMN credentials SET DATA TYPE VARCHAR(8000);
