"""Plot functions: each draws onto a given Axes, returns its artists and changes nothing it was given."""
