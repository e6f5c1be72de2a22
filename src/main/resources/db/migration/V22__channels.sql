-- Channels (as Svix's): free-form names an event is published to and an endpoint listens on, a second dimension of
-- subscription beside event types. Each column holds its names separated by single spaces (names hold none), NULL for
-- none: an endpoint without channels gets events whatever their channels, one with channels only events sharing one.
ALTER TABLE events ADD COLUMN channels VARCHAR(1300);
ALTER TABLE endpoints ADD COLUMN channels VARCHAR(1300);
