"""Demo data: a whole school to try every journey with."""
