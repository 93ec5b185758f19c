"""The ``idempotency_key`` every writing tool takes, and claiming it for a call.

Declared once here and added by the registry to each writing tool's input (``Tool.writes``),
so the HTTP, GPT, MCP and CLI schemas all show it; the domain's ``idempotency`` keeps the
keys. Callers that can send headers may use ``Idempotency-Key`` instead.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field, create_model

from draftroom.domain.calls import Call, idempotency

_GENERATED = "__draftroom_idempotent__"


def with_idempotency_key(model: type[BaseModel]) -> type[BaseModel]:
    """``model`` plus the ``idempotency_key`` field (same name, so schemas keep theirs).

    Made once per model and kept on it, like ``@tool`` keeps its declaration on the handler,
    so every registry built (and every tool sharing the model) gets the same class.
    """
    if idempotency.FIELD in model.model_fields:
        return model
    made = vars(model).get(_GENERATED)
    if made is None:
        made = _generate(model)
        setattr(model, _GENERATED, made)
    assert isinstance(made, type) and issubclass(made, BaseModel)
    return made


def _generate(model: type[BaseModel]) -> type[BaseModel]:
    field: Any = (str | None, _idempotency_field())
    generated: type[BaseModel] = create_model(
        model.__name__,
        __base__=model,
        __module__=model.__module__,
        __doc__=model.__doc__,
        **{idempotency.FIELD: field},
    )
    return generated


def _idempotency_field() -> Any:
    return Field(
        None,
        min_length=1,
        max_length=255,
        pattern=r"^[!-~]+$",
        description=(
            "A unique string (a UUID) making a retry safe: the same key within 24 h returns "
            "the first answer and writes nothing new."
        ),
    )


def claim_key(
    call: Call, body: BaseModel, header: str | None, api_version: int = 1
) -> tuple[idempotency.Claim | None, dict[str, Any] | None]:
    """Claim a writing call's idempotency key, or the first answer to replay. A later API
    version counts in the request's digest: one version's answer never replays as another's
    (the key, reused across versions, is refused as reused for a different request)."""
    key = idempotency.chosen_key(header, getattr(body, idempotency.FIELD, None))
    if key is None:
        return None, None
    principal = call.principal
    return idempotency.begin(
        call.services,
        api_key_id=principal.api_key_id,
        tool=call.tool,
        key=key,
        body=body.model_dump(mode="json", exclude={idempotency.FIELD})
        | ({"api_version": api_version} if api_version > 1 else {}),
        request_id=call.request_id,
    )
