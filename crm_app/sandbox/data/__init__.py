"""The demo tenant: the shared data file, deterministic identifiers and the seeded generators."""
