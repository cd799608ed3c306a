"""Store state changes: one use case per module, called by views and tasks."""
