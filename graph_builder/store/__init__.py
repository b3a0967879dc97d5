"""Step 3, the build folder: graph.nt and graph.ttl, the Oxigraph query store and the per-file cache, written atomically."""
