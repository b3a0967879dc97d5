"""Step 2, the graph: mint IRIs, emit each source file's RDF, and check it against the SHACL shapes."""
