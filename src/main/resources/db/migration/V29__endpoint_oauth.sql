-- An endpoint whose receiver wants an OAuth 2.0 access token (client credentials grant): the token endpoint, the
-- client's id and secret, scope and audience, as JSON (sealed like the signing secret when an encryption key is set).
ALTER TABLE endpoints ADD COLUMN oauth VARCHAR(8000);
