"""The team's web page: an adapter beside the chat platforms, on the same core and storage."""
