"""Learning records: lessons read, quiz attempts, module completion and signed agreements."""
