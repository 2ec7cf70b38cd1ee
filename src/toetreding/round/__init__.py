"""The coordinator's round: prepare (batch), collect the returns, accept in bulk, track, publish."""
