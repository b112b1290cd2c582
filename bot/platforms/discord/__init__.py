"""Discord adapter: slash commands and thread messages in, core replies out as embeds and files.

The package sits at `bot.platforms.discord`; every import of the library is absolute, so the name
never shadows `discord` itself.
"""
