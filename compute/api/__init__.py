"""The HTTP face of the compute service: `main.create_app` composes routes, deps and errors."""
