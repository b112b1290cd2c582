"""One router per resource: health, demos, jobs."""
