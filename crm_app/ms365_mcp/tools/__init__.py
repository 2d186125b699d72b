"""Tool modules; each exposes `register(server, graph)`."""
