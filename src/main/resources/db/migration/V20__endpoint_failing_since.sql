-- When the endpoint's current run of failed attempts began (null while its last attempt succeeded): shown by the API
-- beside the run's length, and told in endpoint.disabled as Svix's failSince.
ALTER TABLE endpoints ADD COLUMN failing_since TIMESTAMP WITH TIME ZONE;
