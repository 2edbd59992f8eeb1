"""Acceptable use agreements: reading and signing."""
