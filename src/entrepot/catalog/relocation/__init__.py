"""Objects moved between stores: which store holds each object, and the move journal."""
