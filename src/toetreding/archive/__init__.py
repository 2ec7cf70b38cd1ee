"""Hand-over to the archive: MDTO metadata and ingest packages."""
