"""The error every attempted connection raises in tests (tests/conftest.py)."""




class NetworkBlocked(RuntimeError):
    pass
