"""The court case API: its wire format, the simulator that stands in for the court, the client."""
