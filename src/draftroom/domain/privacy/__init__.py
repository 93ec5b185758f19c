"""Privacy requests: everything draftroom holds about a person, and erasing it.

The erasure keeps the audit trail provable: the person's audit rows lose their personal
fields, while the keyed digest the chain covers stays (``domain.audit.chain``).
"""

from draftroom.domain.privacy.requests import Erased, erase_person, person_records

__all__ = ["Erased", "erase_person", "person_records"]
