"""Norwegian language layer: the spaCy pipeline and its pattern data."""
