from draftroom.adapters.cli import main

main()
