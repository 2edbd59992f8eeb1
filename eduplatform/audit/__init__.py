"""The audit log: who looked at, exported or changed what, and when."""
