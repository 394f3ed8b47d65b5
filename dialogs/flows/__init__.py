"""One module per flow; each takes the engine's context and returns a Turn."""
