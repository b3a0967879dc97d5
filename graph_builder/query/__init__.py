"""Step 4, questions: stored queries, parameters a person types, the engines that answer, and result formats."""
