from regiograph.cli import main

main()
