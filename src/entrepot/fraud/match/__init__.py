"""Schema matching: an upload's description, value signatures, similarity, the top-3."""
