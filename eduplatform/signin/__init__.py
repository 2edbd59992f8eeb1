"""Picture sign-in for Reception to Year 2, and printable login cards."""
