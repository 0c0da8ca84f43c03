"""A prediction server for a trained run: an HTTP API (FastAPI on uvicorn).

It answers with the same preprocessing and the same predictions as `dlcli predict`
(`dlcli.trained.inference`, `dlcli.data.preprocess`), validates every request and caps
its size, so bad input gets a 4xx JSON error rather than a crash. Used by `dlcli serve`.
"""
