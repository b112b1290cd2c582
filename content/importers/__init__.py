"""Turn question lists written for other tools into bank files of our schema."""
