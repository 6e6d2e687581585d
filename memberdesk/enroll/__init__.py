"""Enrollment and eligibility exchange: X12 834 imports and 270/271 answers."""
