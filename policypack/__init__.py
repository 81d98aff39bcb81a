"""cicd-guard CrossGuard policy pack: every rulebook rule as a Pulumi policy.

`python -m pulumi.policy <engine> policypack` (what `pulumi preview --policy-pack policypack` runs)
executes __main__.py; the modules here are importable for the preview gate and for tests.
"""
