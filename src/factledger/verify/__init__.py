"""factledger.verify: quotes checked against archived text, and the verdicts they suggest; see ARCHITECTURE.md."""
