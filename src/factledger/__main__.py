from factledger.cli import main

# Guarded: archive runs start worker processes with "spawn", which re-imports the main module.
if __name__ == "__main__":
    main()
