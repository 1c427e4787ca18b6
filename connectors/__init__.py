"""piimap connectors."""
