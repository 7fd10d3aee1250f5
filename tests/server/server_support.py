"""Constants the server tests and their fixtures share."""

BASE_URL = "http://127.0.0.1:8742"
ADMIN_PASSWORD = "correct horse battery staple"
