"""Plain helpers the whole suite shares, each written once (fixtures live in tests/conftest.py).

``api``: speaking to the app as one key, starting sandboxes; ``trees``: reading and writing a
sandbox branch straight through the engine; ``server``: a real ``draftroom serve`` process;
``gitserver``: a real git server on loopback; ``upstream``: services mirroring that server.
"""
