"""Notes on saving the weights: not used yet."""
