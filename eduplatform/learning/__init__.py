"""Learning: the dashboard, modules, lessons and quizzes."""
