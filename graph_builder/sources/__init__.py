"""Step 1, the sources: read the curated YAML safely with line numbers, model it, and check every reference between files."""
