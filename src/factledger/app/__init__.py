"""The application layer: use-cases shared by the command line and the review app; they own the transactions."""
