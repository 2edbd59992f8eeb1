"""Training compliance: who must complete which training and when (the rules in
``curriculum/training.yaml``), the training record, "My training", certificates, training done
elsewhere and reminders."""
