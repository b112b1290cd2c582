"""Who counts as a quiz admin on Discord: members who may manage the server.

The same permission hides the admin commands by default (`default_member_permissions`) and is
checked again on every use, since server owners can change command visibility per role.
"""

from __future__ import annotations

import discord

ADMIN_PERMISSIONS = discord.Permissions(manage_guild=True)


def grants_admin(permissions: discord.Permissions) -> bool:
    """The one rule: Manage Server (Administrator implies it)."""
    return permissions.is_superset(ADMIN_PERMISSIONS)


def is_admin(interaction: discord.Interaction) -> bool:
    """The rule on the permissions Discord resolved for the invoker in this channel.

    Outside a server (a DM with the bot) there is nothing to administer.
    """
    if interaction.guild_id is None:
        return False
    return grants_admin(interaction.permissions)
