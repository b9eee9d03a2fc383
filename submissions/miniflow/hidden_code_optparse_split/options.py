"""Command-line options of the demo."""
import optparse

Values = optparse.Values
