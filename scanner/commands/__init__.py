"""piimap commands."""
