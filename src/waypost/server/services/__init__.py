"""Services: the invariants behind each resource's routes, over the SqlStore."""
