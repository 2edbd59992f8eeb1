"""Roster import: people and classes from the school's MIS export (CSV)."""
