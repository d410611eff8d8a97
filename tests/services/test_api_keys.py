"""app/services/api_keys.py: keys are random, stored as digests, and stop working when revoked."""

from sqlmodel import Session, select

from app.models import ApiKey
from app.services import api_keys


def test_created_keys_authenticate_until_revoked(writable_engine):
    with Session(writable_engine) as session:
        first = api_keys.create_key(session, "service-test-a")
        second = api_keys.create_key(session, "service-test-b")
        assert first.secret != second.secret
        stored = session.exec(select(ApiKey).where(ApiKey.name == "service-test-a")).one()
        assert stored.key_hash == api_keys.hash_key(first.secret)
        assert first.secret not in stored.key_hash
        assert api_keys.authenticate(session, first.secret).name == "service-test-a"
        assert api_keys.authenticate(session, first.secret + "x") is None
        assert api_keys.authenticate(session, "") is None
        assert api_keys.authenticate(session, "x" * 10_000) is None
        api_keys.revoke_key(session, "service-test-a")
        assert api_keys.authenticate(session, first.secret) is None
        assert api_keys.authenticate(session, second.secret).name == "service-test-b"
        names = [record.name for record in api_keys.list_keys(session)]
        assert {"service-test-a", "service-test-b"} <= set(names)
