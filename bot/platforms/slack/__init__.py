"""Slack adapter: Bolt listeners turn Slack payloads into core `Incoming`s, and a `Transport`
renders core `Reply`s as Block Kit. `runner.run(settings, service)` starts it."""
