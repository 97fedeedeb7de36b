from tc_contracts_py.cli import main

main()
