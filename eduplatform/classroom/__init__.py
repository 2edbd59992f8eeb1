"""The classroom: a teacher's classes, their progress, and teacher-led sessions."""
