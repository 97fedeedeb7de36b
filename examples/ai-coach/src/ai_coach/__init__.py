"""The AI coach, reduced to how it handles the tc contracts."""
