"""Adapters: platform events to core messages, core replies to platform output."""
