"""ECR (and ECR Public) actions sorted into the access classes the registry rules reason about.

Classes (RULEBOOK.md): auth, pull, push, enumerate (repository listing), image-listing, admin.
The named actions below are the ones the rulebook defines; every other ECR action is `admin` when
the catalogue rates it a write, permissions-management or tagging action, and unclassified when it
only reads (GetLifecyclePolicy, ListTagsForResource, ...). The action list itself always comes
from the catalogue (rulebook.actions), so new ECR write actions become admin without a code change.
"""

from __future__ import annotations

from enum import Enum
from functools import lru_cache
from typing import Iterable

from . import actions as catalogue


class ActionClass(str, Enum):
    AUTH = "auth"
    PULL = "pull"
    PUSH = "push"
    ENUMERATE = "enumerate"
    IMAGE_LISTING = "image-listing"
    ADMIN = "admin"

    def __str__(self) -> str:
        return self.value


REGISTRY_SERVICES: tuple[str, ...] = ("ecr", "ecr-public")

A = ActionClass
_NAMED: dict[str, dict[str, frozenset[ActionClass]]] = {
    "ecr": {
        "getauthorizationtoken": frozenset({A.AUTH}),
        "batchgetimage": frozenset({A.PULL}),
        "getdownloadurlforlayer": frozenset({A.PULL}),
        # pull-through cache: imports the upstream image as part of a pull
        # (AmazonEC2ContainerRegistryPullOnly grants it)
        "batchimportupstreamimage": frozenset({A.PULL}),
        "batchchecklayeravailability": frozenset({A.PULL, A.PUSH}),
        "putimage": frozenset({A.PUSH}),
        "initiatelayerupload": frozenset({A.PUSH}),
        "uploadlayerpart": frozenset({A.PUSH}),
        "completelayerupload": frozenset({A.PUSH}),
        "describerepositories": frozenset({A.ENUMERATE}),
        "describeregistry": frozenset({A.ENUMERATE}),
        "listimages": frozenset({A.IMAGE_LISTING}),
        "describeimages": frozenset({A.IMAGE_LISTING}),
    },
    "ecr-public": {
        # pulling from ECR Public is anonymous; its IAM actions are about publishing
        "getauthorizationtoken": frozenset({A.AUTH}),
        "batchchecklayeravailability": frozenset({A.PUSH}),
        "putimage": frozenset({A.PUSH}),
        "initiatelayerupload": frozenset({A.PUSH}),
        "uploadlayerpart": frozenset({A.PUSH}),
        "completelayerupload": frozenset({A.PUSH}),
        "describerepositories": frozenset({A.ENUMERATE}),
        "describeregistries": frozenset({A.ENUMERATE}),
        "describeimages": frozenset({A.IMAGE_LISTING}),
        "describeimagetags": frozenset({A.IMAGE_LISTING}),
    },
}
_ADMIN_LEVELS = ("write", "permissions management", "tagging")


@lru_cache(maxsize=4096)
def classify(action: str) -> frozenset[ActionClass]:
    """The classes of one concrete action (any case); empty for non-registry and read-only extras."""
    prefix, name = catalogue.split(action)
    prefix, lname = prefix.lower(), name.lower()
    named = _NAMED.get(prefix)
    if named is None:
        return frozenset()
    if lname in named:
        return named[lname]
    level = (catalogue.access_level(f"{prefix}:{name}") or "").lower()
    if any(word in level for word in _ADMIN_LEVELS):
        return frozenset({A.ADMIN})
    return frozenset()


@lru_cache(maxsize=1)
def registry_actions() -> frozenset[str]:
    """Every ECR and ECR Public action from the catalogue."""
    return catalogue.expand(("*",), REGISTRY_SERVICES)


@lru_cache(maxsize=None)
def actions_in(action_class: ActionClass) -> frozenset[str]:
    """Every catalogue action of one class."""
    return frozenset(a for a in registry_actions() if action_class in classify(a))


# Layer-availability checks accompany a pull or a push but allow neither on their own.
SUPPORTING: frozenset[str] = frozenset({"ecr:batchchecklayeravailability", "ecr-public:batchchecklayeravailability"})


def is_supporting(action: str) -> bool:
    return action.lower() in SUPPORTING


def by_class(actions: Iterable[str]) -> dict[ActionClass, frozenset[str]]:
    """Group concrete actions by class (an action in two classes appears in both).

    A class made only of supporting actions is left out: ecr:BatchCheckLayerAvailability alone
    (as in AmazonEC2ContainerRegistryReadOnly) is neither a pull nor a push.
    """
    out: dict[ActionClass, set[str]] = {}
    for action in actions:
        for cls in classify(action):
            out.setdefault(cls, set()).add(action)
    return {cls: frozenset(v) for cls, v in out.items() if not all(is_supporting(a) for a in v)}


def covers_all_registry_actions(patterns: Iterable[object]) -> bool:
    """True when an Action list grants every ECR action of a service at once (`*`, `ecr:*`, `ecr*:*`)."""
    literal = [p for p in patterns if isinstance(p, str)]
    for service in REGISTRY_SERVICES:
        everything = catalogue.service_actions(service)
        if everything and everything <= catalogue.expand(literal, (service,)):
            return True
    return False
