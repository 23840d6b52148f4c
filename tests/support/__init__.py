"""What several test modules expect and the helpers that read it: defined once."""
