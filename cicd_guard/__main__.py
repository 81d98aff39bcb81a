"""`python -m cicd_guard ...` is the same as the `cicd-guard` command."""

from .cli import main

raise SystemExit(main())
