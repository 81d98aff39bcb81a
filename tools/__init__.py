"""Developer tools (not installed with the package): catalogue refresh."""
