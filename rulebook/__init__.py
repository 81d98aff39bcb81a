"""cicd-guard rulebook: the engine-neutral model, rules, config, findings and reporters."""

__version__ = "0.1.0"
TOOL_NAME = "cicd-guard"
