"""`python -m rulebook ...` is the same as the `cicd-guard` command."""

from .cli import main

raise SystemExit(main())
