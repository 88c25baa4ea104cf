from factledger.cli import main

main()
