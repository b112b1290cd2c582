"""Schema revisions; each module's `revision` is the schema version as a number."""
