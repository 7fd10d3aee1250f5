"""Execution: the step runner and the orchestrators that schedule it."""
