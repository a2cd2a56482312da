"""What a run costs: the shipped price table, the engine's metering and the report's cost block."""
