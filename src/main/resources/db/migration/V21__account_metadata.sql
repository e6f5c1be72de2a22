-- Key/value pairs the SaaS product keeps on an account (its own tenant id, a plan), as Svix's application metadata:
-- a JSON object of strings, shown by the API and never sent to a receiver.
ALTER TABLE accounts ADD COLUMN metadata VARCHAR;
