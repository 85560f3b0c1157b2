"""Published-case loaders, predictions and error tables."""
