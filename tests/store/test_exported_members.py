from __future__ import annotations

import draftroom.store as store


def test_every_public_name_is_exported() -> None:
    public = {
        name
        for name, value in vars(store).items()
        if not name.startswith("_") and getattr(value, "__module__", "").startswith(store.__name__)
    }
    assert public - {"annotations"} <= set(store.__all__)
    assert all(hasattr(store, name) for name in store.__all__)
