"""Platform-free quiz logic: commands in, neutral replies out."""
