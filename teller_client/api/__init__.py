"""The central signing API: its contract, client, wire models and errors (no Qt)."""
