"""Step 5, analytics: coordination networks per document, their centralities and communities, and how they change."""
