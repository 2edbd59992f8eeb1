"""People: accounts, roles, sign-in and sessions."""
