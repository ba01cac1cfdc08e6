"""The inference gateway: upstream engines, routing, streaming and token metering."""
