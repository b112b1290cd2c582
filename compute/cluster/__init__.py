"""The `ray` backend: demos as Ray tasks, job state on a detached job board in the cluster, and
the embedding model on Ray actors. Imported only when QUIZMASTER_COMPUTE_BACKEND=ray."""
