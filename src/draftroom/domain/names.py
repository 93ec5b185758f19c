"""Sandbox branch names people can say out loud: ``sandbox-<adjective>-<animal>``."""

from __future__ import annotations

import secrets
from collections.abc import Callable

ADJECTIVES = (
    "agile amber ancient bold brave bright brisk calm clever cosmic crimson curious daring "
    "eager electric emerald fearless fierce gentle giant golden graceful happy hidden humble "
    "jolly keen kind lively lucky lunar mellow merry mighty misty nimble noble patient "
    "polished proud quick quiet radiant rapid silent silver sleek smooth solar spry steady "
    "stellar sunny swift tidy tranquil vivid wandering warm wise witty zesty"
).split()

ANIMALS = (
    "albatross badger beaver bison bobcat buffalo camel caribou cheetah condor cougar coyote "
    "crane dolphin eagle falcon ferret finch fox gazelle gecko heron ibex jaguar koala lemur "
    "leopard lynx magpie marmot mink moose narwhal ocelot orca osprey otter owl panda panther "
    "pelican penguin puffin quail raven robin salmon seal sparrow stork swan tapir tiger "
    "toucan walrus weasel whale wolf wombat yak zebra"
).split()


def new_branch_name(taken: Callable[[str], bool]) -> str:
    """A fresh name; a short random suffix only when the plain names we tried are taken."""
    for _ in range(8):
        name = f"sandbox-{secrets.choice(ADJECTIVES)}-{secrets.choice(ANIMALS)}"
        if not taken(name):
            return name
    while True:
        candidate = f"{name}-{secrets.token_hex(2)}"
        if not taken(candidate):
            return candidate
