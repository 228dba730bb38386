"""Training-side code: corpus preparation and model fitting (not imported by the runtime package)."""
