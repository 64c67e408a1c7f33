"""The orders app's writes, one module per topic: placing, cancellation, credits, idempotency."""
