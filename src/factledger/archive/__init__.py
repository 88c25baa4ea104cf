"""factledger.archive: see DESIGN.md."""
