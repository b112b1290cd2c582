"""Writers of the pages that must not drift from the code: the README's console example and
docs/configuration.md from the settings' fields. Each has `--check` for the tests."""
