"""Browser-session plumbing: the session and CSRF cookies."""
