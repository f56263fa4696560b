"""Live games: a quiz played together in class, each question against the server's clock."""
