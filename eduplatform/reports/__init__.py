"""Oversight: dashboards, exports and the yearly audit, built from the records."""
