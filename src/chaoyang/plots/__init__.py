"""Figures of the kit (matplotlib only; English text, since matplotlib has no CJK glyphs)."""
