"""Webhooks (issue 18): signed POSTs to an integration client's address when appeals in its scope change.

- `events.py` — which events of the appeal's history are sent, as which type, and the body (no personal data);
- `signing.py` — the secret and the HMAC-SHA256 signature a receiver checks (docs/webhooks.md);
- `destinations.py` — which addresses may receive (http/https only; no private ones in production: SSRF);
- `dispatch.py` — the reader of the event log that turns new events into deliveries (Celery beat);
- `delivery.py` — the POSTs: claimed, concurrent, retried with backoff, at least once;
- `services.py` — subscribing, switching a subscription off and on again, retrying, pruning the log.
"""
