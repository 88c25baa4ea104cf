"""factledger.verify: see DESIGN.md."""
