-- An example of the type's data (a JSON object, the text as the operator sent it, so its numbers stay exact): what
-- POST …/endpoints/{id}/test sends for the type when no data is given, and what the portal shows in the catalog.
ALTER TABLE event_types ADD COLUMN example VARCHAR;
