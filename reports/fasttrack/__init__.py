"""Механизмы ускоренного решения: their figures (the rules themselves are organisation data, cur.FastTrack,
applied on intake by structuring and appeals/lifecycle/deadlines.py)."""
