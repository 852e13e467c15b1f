"""Pure-numpy models (no plotting, no widgets): pk, receptor, spinal, descending."""
