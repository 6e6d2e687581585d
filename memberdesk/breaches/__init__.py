"""Breach and incident register (45 CFR 164.400-414; Cal. Civil Code 1798.82)."""
