"""factledger.tui: the keyboard-first review app (`factledger review`); see ARCHITECTURE.md."""
