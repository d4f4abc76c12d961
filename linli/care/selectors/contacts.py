"""Reads about contacts: whom the user may log one for, a key person's history."""

from __future__ import annotations

from django.db.models import QuerySet

from linli.accounts.models import Capability, User
from linli.accounts.selectors.scope import scope_for
from linli.care.models import Contact, KeyPerson
from linli.care.selectors.key_persons import get_key_person_for_user
from linli.org.selectors.units import ReadOnlyAccess


def get_key_person_for_contact(user: User, key_person_id: int) -> KeyPerson:
    """A key person the user may log a contact for: 404 outside scope, 403 where the user only reads."""
    key_person = get_key_person_for_user(user, key_person_id)
    if not scope_for(user).can(Capability.LOG_CONTACTS, key_person.unit_path):
        raise ReadOnlyAccess
    return key_person


def key_person_contacts(*, key_person: KeyPerson) -> QuerySet[Contact]:
    """The contact history of a key person the caller has accessed, newest first."""
    return (
        Contact.objects.filter(key_person=key_person)
        # key_person: the API reads its unit path on every row to decide whether notes are shown.
        .select_related("recorded_by", "key_person")
        # The requests a contact's needs opened, linked from the history.
        .prefetch_related("requests")
        .order_by("-occurred_at", "-id")
    )
