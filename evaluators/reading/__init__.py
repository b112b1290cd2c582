"""How the grader reads an answer's words: Korean morphology and English stems, notation read
as words, word rarity, key-concept matches and claim cues."""
