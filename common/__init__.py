"""The toolkit below every app: reading tables and cells, versioned import plans, months, money,
safe exports, the errors they raise and the REST plumbing every API shares.

It imports no app of the product (``trusts``, ``performance``, ``finance``, ``stftracker``); the
architecture test in ``tests/test_architecture.py`` holds it to that.
"""
