"""The application model, validation, business rules and fees (pure Python: no Qt, HTTP, SQL or devices)."""
