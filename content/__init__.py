"""The question bank: schema, YAML loading, lookup, validation and importers."""
