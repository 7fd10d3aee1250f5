"""One repository module per entity; each owns its queries."""
