"""The demo service: small training demos that return figures and metrics, served over HTTP."""
