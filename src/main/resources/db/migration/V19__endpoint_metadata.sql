-- Key/value pairs a client keeps on an endpoint (its own ids, an integration's name), as Svix's endpoint metadata:
-- a JSON object of strings, shown by the API and never sent to the receiver.
ALTER TABLE endpoints ADD COLUMN metadata VARCHAR;
