"""``python -m factledger`` and the ``factledger`` console script.

Archive runs start worker processes with "spawn", and each of them re-imports the main module (the
console script, or this module): so nothing heavy is imported at module level here. Importing the whole
command line would cost each worker about 0.9 s of CPU before it prepares its first capture.
"""


def main() -> None:
    from factledger.cli import main as run_cli

    run_cli()


if __name__ == "__main__":
    main()
