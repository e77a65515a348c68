"""Checks over the records model: data integrity now, the regulation's rules on top of it."""
