"""People and their records, within the viewer's scope; the school's progress overview."""
