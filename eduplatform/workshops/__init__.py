"""Parents' online workshops as events: scheduling, registration, the join code and register,
feedback, and the self-study offer for those who could not come."""
