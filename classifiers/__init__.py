"""piimap classifiers."""
