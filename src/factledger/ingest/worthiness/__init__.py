"""The check-worthiness model: its features (``features``), its shipped weights and their reader
(``model``). ``factledger.ingest.scoring`` is the interface the rest of the package uses."""
