"""Running a quiz in a channel: core flow, storage, platforms, settings and the command line."""
