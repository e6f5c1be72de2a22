-- An archived event type (DELETE /api/v1/event-types/{name}) leaves the catalog's list and the portal, so endpoints
-- are no longer offered it; its events are still accepted, checked against its schema and delivered, so a producer
-- still sending it breaks nothing. PATCH {"archived": false} brings it back.
ALTER TABLE event_types ADD COLUMN archived_at TIMESTAMP WITH TIME ZONE;
