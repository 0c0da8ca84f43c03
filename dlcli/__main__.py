from dlcli.cli.app import main

main()
