"""`python -m generator` runs the same CLI as the `etherip` console command."""

from generator.cli import main

main()
