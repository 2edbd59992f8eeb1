"""Tenancy: trusts, schools and classes."""
