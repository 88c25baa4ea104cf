"""factledger.archive: capturing sources into WARC files with their text, on a schedule; see ARCHITECTURE.md."""
