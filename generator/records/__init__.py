"""Records: the one declaration per kind, strict YAML loading and the immutable model."""
