"""cicd-guard: the command-line front end over the rulebook, the Terraform scanner and the Pulumi gate.

The rulebook stays engine-neutral; this package is the one place that wires the engines to it.
"""

from rulebook import TOOL_NAME, __version__

__all__ = ["TOOL_NAME", "__version__"]
