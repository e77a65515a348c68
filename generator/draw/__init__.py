"""Verifiable draws (ssj-draw/1): canonical JSON, the spec algorithm, freezing and sources."""
