"""The administrator's screens: trusts and schools, and each school's settings."""
