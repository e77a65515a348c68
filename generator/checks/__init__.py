"""`ssj check`: every check over loaded records (run), the append-only audit against a git
revision (audit), and the problems as people and CI read them (output)."""
