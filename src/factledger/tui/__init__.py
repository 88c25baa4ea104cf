"""factledger.tui: see DESIGN.md."""
